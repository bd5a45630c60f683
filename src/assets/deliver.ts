/**
 * Delivery of the succeeded tasks' assets: each chosen format downloaded and verified (at most
 * `concurrency` files at once across all tasks), then, when asked and nothing failed, one
 * artifact of them all. Every file is tried, so one run names every broken file.
 *
 * `startDelivery` takes tasks as they succeed (`add`), so downloads can start while other tasks
 * are still polled; `deliverAssets` is the same for a finished list of tasks.
 */
import * as path from 'node:path'
import { type AssetFormat, type AssetUrls, formatLabel, URL_KEYS } from '../domain/formats.js'
import { describeError, errorMessage } from '../errors.js'
import type { TaskRecord } from '../poll.js'
import type { Clock, Log } from '../runtime.js'
import { uploadArtifact } from './artifact.js'
import { DownloadError, type DownloadOptions, downloadFile } from './download.js'
import { assetFileName } from './file-name.js'
import { createLimiter, DEFAULT_CONCURRENCY } from './run-bounded.js'
import type { AssetFile } from './types.js'
import { verifyAsset } from './verify.js'

export interface UploadSettings {
  name: string
  /** 1-90; undefined keeps the repository's default. */
  retentionDays?: number
  /** 0-9; undefined keeps the client's default (6). */
  compressionLevel?: number
  /** The whole upload (default 10 min). */
  timeLimitMs?: number
}

export interface DeliveryOptions {
  formats: readonly AssetFormat[]
  /** Absolute; files land at `<downloadDir>/<taskId>/<file name>`. */
  downloadDir: string
  /** Upload the files as one artifact; absent for no upload. */
  upload?: UploadSettings
  /** Files downloading at once, across all tasks (default 4). */
  concurrency?: number
  /** Limits for every file, and `allowInsecureHosts` for tests. */
  download?: Pick<
    DownloadOptions,
    'idleTimeoutMs' | 'timeLimitMs' | 'maxAttempts' | 'progressEveryMs' | 'allowInsecureHosts'
  >
}

export interface DeliveryDeps {
  clock: Clock
  /** The run's cancellation: files in flight are abandoned and removed, nothing is uploaded. */
  signal: AbortSignal
  log: Log
  env: NodeJS.ProcessEnv
}

export interface Delivery {
  /** Verified files per task id, in the order the tasks were added and formats chosen. */
  files: Map<string, AssetFile[]>
  /** Set when at least one file was downloaded. */
  downloadDir?: string
  artifact?: { id: number; url: string; digest: string }
  /** Why the step fails: every file that could not be brought down whole, or the upload. */
  error?: string
  /** The run was cancelled before the delivery ended: `files` holds what finished before. */
  cancelled: boolean
}

/** What a delivery needs of a succeeded task. */
export interface DeliveryTask {
  taskId: string
  urls: AssetUrls
}

export interface DeliveryRun {
  /**
   * Queues the chosen formats of one succeeded task; a format it lacks is only worth a notice.
   * A task already added is ignored.
   */
  add(task: DeliveryTask): void
  /** Waits for every file queued so far (never rejects). */
  downloaded(): Promise<void>
  /** Waits for everything queued, then uploads the artifact once. Add nothing after it. */
  finish(): Promise<Delivery>
}

interface Job {
  taskId: string
  format: AssetFormat
  url: string
}

type Settled = { kind: 'file'; taskId: string; asset: AssetFile } | { kind: 'failed'; why: string }

export function startDelivery(options: DeliveryOptions, deps: DeliveryDeps): DeliveryRun {
  const { log, signal } = deps
  const limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY, signal)
  const added = new Set<string>()
  const missing: string[] = []
  // By job number, so the outcome does not depend on which download finished first.
  const settled: Array<Settled | undefined> = []
  const pending = new Set<Promise<void>>()
  let finished = false

  const queue = (job: Job): void => {
    const index = settled.length
    settled.push(undefined)
    const done: Promise<void> = limiter
      .run(() => fetchAsset(job, options, deps))
      .then(
        asset => {
          settled[index] = { kind: 'file', taskId: job.taskId, asset }
        },
        (error: unknown) => {
          // A cancelled file is no failure of its own; `cancelled` says why it is missing.
          if (!signal.aborted) settled[index] = { kind: 'failed', why: describeFailure(job, error) }
        }
      )
      .finally(() => pending.delete(done))
    pending.add(done)
  }

  const downloaded = async (): Promise<void> => {
    while (pending.size > 0) await Promise.all(pending)
  }

  return {
    add(task) {
      if (finished) throw new Error('The delivery is finished: no task can be added.')
      if (added.has(task.taskId)) return
      added.add(task.taskId)
      for (const format of options.formats) {
        const url = task.urls[URL_KEYS[format]]
        if (url) queue({ taskId: task.taskId, format, url })
        else missing.push(`${task.taskId} has no ${formatLabel(format)} file`)
      }
    },
    downloaded,
    async finish() {
      finished = true
      if (missing.length > 0)
        log.notice(`Not downloaded, since the service gave no URL: ${missing.join('; ')}.`)
      await downloaded()
      const delivery = summarise(settled, options.downloadDir, signal.aborted)
      if (settled.length === 0) return delivery
      if (delivery.error !== undefined || delivery.cancelled) {
        if (options.upload) {
          delivery.error = `${delivery.error ?? 'The run was cancelled.'} No artifact was uploaded.`
        }
        return delivery
      }
      if (options.upload) await upload(delivery, options.upload, options.downloadDir, deps)
      return delivery
    }
  }
}

/** Downloads, verifies and (when asked) uploads the assets of the tasks that succeeded. */
export async function deliverAssets(
  options: DeliveryOptions,
  tasks: readonly TaskRecord[],
  deps: DeliveryDeps
): Promise<Delivery> {
  const succeeded = tasks.filter(task => task.state === 'succeeded')
  const count = succeeded.reduce(
    (sum, task) => sum + options.formats.filter(format => task.urls[URL_KEYS[format]]).length,
    0
  )
  const run = startDelivery(options, deps)
  if (count > 0) {
    deps.log.startGroup(
      `Downloading ${count} file${count === 1 ? '' : 's'} to ${options.downloadDir}`
    )
  }
  try {
    succeeded.forEach(task => run.add(task))
    await run.downloaded()
  } finally {
    if (count > 0) deps.log.endGroup()
  }
  return run.finish()
}

function summarise(
  settled: ReadonlyArray<Settled | undefined>,
  downloadDir: string,
  cancelled: boolean
): Delivery {
  const files = new Map<string, AssetFile[]>()
  const failures: string[] = []
  for (const outcome of settled) {
    if (outcome?.kind === 'file') {
      files.set(outcome.taskId, [...(files.get(outcome.taskId) ?? []), outcome.asset])
    } else if (outcome?.kind === 'failed') failures.push(outcome.why)
  }
  const delivery: Delivery = {
    files,
    downloadDir: files.size > 0 ? downloadDir : undefined,
    cancelled
  }
  const total = settled.length
  const problems: string[] = []
  if (failures.length > 0) {
    problems.push(
      `${failures.length} of ${total} download${total === 1 ? '' : 's'} failed: ${failures.join(' ')}`
    )
  }
  const unfinished = total - failures.length - [...files.values()].flat().length
  if (cancelled && unfinished > 0) {
    problems.push(`Downloads were cancelled with ${unfinished} of ${total} files unfinished.`)
  }
  if (problems.length > 0) delivery.error = problems.join(' ')
  return delivery
}

async function upload(
  delivery: Delivery,
  settings: UploadSettings,
  downloadDir: string,
  deps: DeliveryDeps
): Promise<void> {
  const { log } = deps
  const paths = [...delivery.files.values()].flat().map(file => file.path)
  log.startGroup(
    `Uploading ${paths.length} file${paths.length === 1 ? '' : 's'} as the artifact ${settings.name}`
  )
  try {
    const artifact = await uploadArtifact(
      {
        name: settings.name,
        rootDirectory: downloadDir,
        files: paths,
        retentionDays: settings.retentionDays,
        compressionLevel: settings.compressionLevel
      },
      { signal: deps.signal, timeLimitMs: settings.timeLimitMs, env: deps.env }
    )
    delivery.artifact = { id: artifact.id, url: artifact.url, digest: artifact.digest }
    log.info(
      `Artifact ${settings.name}: id ${artifact.id}, ${artifact.size} bytes, ${artifact.url}`
    )
  } catch (error) {
    delivery.cancelled = deps.signal.aborted
    delivery.error = `Could not upload the artifact: ${describeError(error)}`
  } finally {
    log.endGroup()
  }
}

async function fetchAsset(
  job: Job,
  options: DeliveryOptions,
  deps: DeliveryDeps
): Promise<AssetFile> {
  const label = `${job.taskId} ${formatLabel(job.format)}`
  const destination = path.join(options.downloadDir, job.taskId, assetFileName(job.url, job.format))
  let info: Awaited<ReturnType<typeof verifyAsset>> | undefined
  const result = await downloadFile(
    { url: job.url, destination, label },
    {
      ...options.download,
      signal: deps.signal,
      verify: async tempPath => {
        info = await verifyAsset(tempPath, job.format)
      }
    },
    { clock: deps.clock, log: deps.log }
  )
  if (!info) throw new Error(`${label}: the file was not verified`)
  deps.log.info(
    `${label}: ${info.version}, ${info.gaussians.toLocaleString('en-US')} splats, SH degree ${info.shDegree}, sha256 ${result.sha256}`
  )
  return {
    format: job.format,
    path: result.destination,
    bytes: result.bytes,
    sha256: result.sha256,
    gaussians: info.gaussians,
    version: info.version,
    shDegree: info.shDegree
  }
}

function describeFailure(job: Job, error: unknown): string {
  const format = formatLabel(job.format)
  if (error instanceof DownloadError)
    return `Task ${job.taskId}, ${format} from ${error.url}: ${error.reason}.`
  return `Task ${job.taskId}, ${format}: ${errorMessage(error)}.`
}
