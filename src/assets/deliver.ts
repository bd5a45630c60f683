import * as path from 'node:path'
import type { Config, AssetFormat } from '../inputs/parse.js'
import type { TaskRecord } from '../poll.js'
import { uploadArtifact } from './artifact.js'
import { DownloadError, downloadFile, runBounded } from './download.js'
import { assetFileName } from './file-name.js'
import type { AssetFile } from './types.js'
import { verifyAsset } from './verify.js'
import { errorMessage } from '../errors.js'

export interface DeliveryLog {
  info(message: string): void
  debug(message: string): void
  notice(message: string): void
  warning(message: string): void
  startGroup(title: string): void
  endGroup(): void
}

export interface DeliveryDeps {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  signal?: AbortSignal
  env: NodeJS.ProcessEnv
  log: DeliveryLog
}

export interface Delivery {
  /** Verified files per task id. */
  files: Map<string, AssetFile[]>
  /** Set when at least one file was downloaded. */
  downloadDir?: string
  artifact?: { id: number; url: string; digest: string }
  /** Why the step fails: every file that could not be brought down whole, or the upload. */
  error?: string
}

interface DownloadJob {
  taskId: string
  format: AssetFormat
  url: string
}

export const DOWNLOAD_CONCURRENCY = 4

const URL_KEYS = { ply: 'plyPath', spz: 'spzPath', sog: 'sogPath' } as const

/** The chosen formats of every succeeded task; a format a task lacks is only worth a notice. */
export function planDownloads(
  tasks: readonly TaskRecord[],
  formats: readonly AssetFormat[]
): { jobs: DownloadJob[]; missing: string[] } {
  const jobs: DownloadJob[] = []
  const missing: string[] = []
  for (const task of tasks) {
    if (task.state !== 'succeeded') continue
    for (const format of formats) {
      const url = task.result?.[URL_KEYS[format]]
      if (url) jobs.push({ taskId: task.taskId, format, url })
      else missing.push(`${task.taskId} has no ${format.toUpperCase()} file`)
    }
  }
  return { jobs, missing }
}

/**
 * Downloads, verifies and (when asked) uploads the assets of the succeeded tasks. Every file is
 * tried, so one run names every broken file; nothing failed is uploaded.
 */
export async function deliverAssets(
  config: Config,
  tasks: readonly TaskRecord[],
  deps: DeliveryDeps
): Promise<Delivery> {
  const { log } = deps
  const { jobs, missing } = planDownloads(tasks, config.download)
  if (missing.length > 0)
    log.notice(`Not downloaded, since the service gave no URL: ${missing.join('; ')}.`)
  const files = new Map<string, AssetFile[]>()
  if (jobs.length === 0) return { files }

  log.startGroup(
    `Downloading ${jobs.length} file${jobs.length === 1 ? '' : 's'} to ${config.downloadDir}`
  )
  const failures: string[] = []
  try {
    const downloaded = await runBounded(
      jobs,
      DOWNLOAD_CONCURRENCY,
      job =>
        fetchAsset(job, config.downloadDir, deps).catch((error: unknown) => {
          if (deps.signal?.aborted) throw error
          failures.push(describeFailure(job, error))
          return undefined
        }),
      deps.signal
    )
    for (const file of downloaded) {
      if (!file) continue
      files.set(file.taskId, [...(files.get(file.taskId) ?? []), file.asset])
    }
  } catch (error) {
    if (!deps.signal?.aborted) throw error
    failures.push('Downloads were cancelled.')
  } finally {
    log.endGroup()
  }

  const delivery: Delivery = { files, downloadDir: files.size > 0 ? config.downloadDir : undefined }
  if (failures.length > 0) {
    const skipped = config.uploadArtifact ? ' No artifact was uploaded.' : ''
    delivery.error = `${failures.length} of ${jobs.length} download${jobs.length === 1 ? '' : 's'} failed: ${failures.join(' ')}${skipped}`
    return delivery
  }

  if (config.uploadArtifact) {
    const paths = [...files.values()].flat().map(file => file.path)
    log.startGroup(
      `Uploading ${paths.length} file${paths.length === 1 ? '' : 's'} as the artifact ${config.artifactName}`
    )
    try {
      const artifact = await uploadArtifact(
        {
          name: config.artifactName,
          rootDirectory: config.downloadDir,
          files: paths,
          retentionDays: config.retentionDays
        },
        deps.env
      )
      delivery.artifact = { id: artifact.id, url: artifact.url, digest: artifact.digest }
      log.info(
        `Artifact ${config.artifactName}: id ${artifact.id}, ${artifact.size} bytes, ${artifact.url}`
      )
    } catch (error) {
      delivery.error = `Could not upload the artifact: ${errorMessage(error)}`
    } finally {
      log.endGroup()
    }
  }
  return delivery
}

async function fetchAsset(
  job: DownloadJob,
  downloadDir: string,
  deps: DeliveryDeps
): Promise<{ taskId: string; asset: AssetFile }> {
  const destination = path.join(downloadDir, job.taskId, assetFileName(job.url, job.format))
  let info: Awaited<ReturnType<typeof verifyAsset>> | undefined
  const result = await downloadFile(
    { url: job.url, destination, label: `${job.taskId} ${job.format.toUpperCase()}` },
    {
      signal: deps.signal,
      verify: async tempPath => {
        info = await verifyAsset(tempPath, job.format)
      }
    },
    { now: deps.now, sleep: deps.sleep, random: deps.random, log: deps.log }
  )
  if (!info) throw new Error(`${job.taskId} ${job.format}: the file was not verified`)
  deps.log.info(
    `${job.taskId} ${job.format.toUpperCase()}: ${info.version}, ${info.gaussians.toLocaleString('en-US')} splats, SH degree ${info.shDegree}, sha256 ${result.sha256}`
  )
  return {
    taskId: job.taskId,
    asset: {
      format: job.format,
      path: result.destination,
      bytes: result.bytes,
      sha256: result.sha256,
      gaussians: info.gaussians,
      version: info.version,
      shDegree: info.shDegree
    }
  }
}

function describeFailure(job: DownloadJob, error: unknown): string {
  const format = job.format.toUpperCase()
  if (error instanceof DownloadError)
    return `Task ${job.taskId}, ${format} from ${error.url}: ${error.reason}.`
  return `Task ${job.taskId}, ${format}: ${errorMessage(error)}.`
}
