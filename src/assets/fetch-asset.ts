/**
 * One chosen file of one succeeded task: reused from the runner's tool cache when it holds a
 * good copy, else downloaded and verified (and then kept there); either way checked against
 * the budgets.
 */
import * as path from 'node:path'
import { type AssetFormat, formatLabel } from '../domain/formats.js'
import { errorMessage, sentence } from '../errors.js'
import type { ApiKind } from '../providers/provider.js'
import type { Clock, Log } from '../runtime.js'
import type { AssetCache, CacheKey } from './asset-cache.js'
import { type Budgets, describeOverBudget, OverSizeError, overBudget } from './budgets.js'
import { DownloadError, type DownloadOptions, downloadFile, isExpiredLink } from './download.js'
import { type AssetFile, describeFigures } from './types.js'
import { verifyAsset } from './verify.js'

export interface AssetJob {
  taskId: string
  format: AssetFormat
  url: string
  /** In the task's folder; unique among the task's files. */
  fileName: string
  /** Which of the task's files of this format it is (0 for the first): to find it again. */
  nth: number
}

export interface FetchSettings {
  api: ApiKind
  downloadDir: string
  budgets: Budgets
  download?: DownloadLimits
  /** A fresh URL of the job's file, asked of the service once its link has expired. */
  refresh?: (job: AssetJob) => Promise<string | undefined>
}

/** Limits for every file, the overall deadline, and `allowInsecureHosts` for tests. */
export type DownloadLimits = Pick<
  DownloadOptions,
  | 'idleTimeoutMs'
  | 'timeLimitMs'
  | 'maxAttempts'
  | 'progressEveryMs'
  | 'allowInsecureHosts'
  | 'allowPrivateHosts'
  | 'deadline'
  | 'connections'
  | 'borrowConnections'
>

export interface FetchDeps {
  clock: Clock
  signal: AbortSignal
  log: Log
  /** The runner's tool cache; undefined when `cache` is off or unusable. */
  cache: AssetCache | undefined
}

/** The file, verified, at `<downloadDir>/<taskId>/<file name>`; throws when it is not. */
export async function fetchAsset(
  job: AssetJob,
  settings: FetchSettings,
  deps: FetchDeps
): Promise<AssetFile> {
  const { cache, signal, log } = deps
  const destination = path.join(settings.downloadDir, job.taskId, job.fileName)
  const key: CacheKey = { api: settings.api, taskId: job.taskId, format: job.format, url: job.url }
  let file = cache ? await cache.reuse(key, destination, signal) : undefined
  const reused = file !== undefined
  file ??= await download(job, destination, settings, deps)
  log.info(
    `${label(job)}: ${file.version}, ${describeFigures(file)}${file.shDegree === undefined ? '' : `, SH degree ${file.shDegree}`}, sha256 ${file.sha256}`
  )
  const reason = overBudget(file, settings.budgets)
  if (reason) {
    file.overBudget = reason
    log.info(`${label(job)}: over budget: ${reason}`)
  }
  // A file over a budget is no file to reuse: the cache keeps none.
  else if (!reused) await cache?.store(key, file, signal)
  return file
}

/** The sentence naming a file that could not be delivered. */
export function describeFailure(job: AssetJob, error: unknown): string {
  const format = formatLabel(job.format)
  if (error instanceof DownloadError && error.cause instanceof OverSizeError)
    return describeOverBudget(job.taskId, job.format, error.reason)
  if (error instanceof DownloadError)
    return sentence(`Task ${job.taskId}, ${format} from ${error.url}: ${error.reason}`)
  return sentence(`Task ${job.taskId}, ${format}: ${errorMessage(error)}`)
}

/**
 * The download; when its signed link has expired, the service is asked for the task once more,
 * and the fresh link downloaded. A link that has expired again fails, saying so.
 */
async function download(
  job: AssetJob,
  destination: string,
  settings: FetchSettings,
  deps: FetchDeps
): Promise<AssetFile> {
  try {
    return await downloadFrom(job.url, job, destination, settings, deps)
  } catch (error) {
    if (!settings.refresh || !isExpiredLink(error)) throw error
    deps.log.info(`${label(job)}: the link has expired; asking the service for a fresh one.`)
    const url = await settings.refresh(job)
    if (url === undefined) {
      throw new DownloadError(error.url, `${error.reason}; the service gave no fresh link`, true, 0)
    }
    try {
      return await downloadFrom(url, job, destination, settings, deps)
    } catch (again) {
      if (!isExpiredLink(again)) throw again
      const reason = `${again.reason}; the link had expired again after it was refreshed`
      throw new DownloadError(again.url, reason, true, again.attempts, { cause: again })
    }
  }
}

async function downloadFrom(
  url: string,
  job: AssetJob,
  destination: string,
  settings: FetchSettings,
  deps: FetchDeps
): Promise<AssetFile> {
  let info: Awaited<ReturnType<typeof verifyAsset>> | undefined
  const result = await downloadFile(
    { url, destination, label: label(job) },
    {
      ...settings.download,
      maxBytes: settings.budgets.maxFileSizeBytes,
      signal: deps.signal,
      verify: async tempPath => {
        info = await verifyAsset(tempPath, job.format)
      }
    },
    { clock: deps.clock, log: deps.log }
  )
  if (!info) throw new Error(`${label(job)}: the file was not verified`)
  return { ...info, path: result.destination, bytes: result.bytes, sha256: result.sha256 }
}

function label(job: AssetJob): string {
  return `${job.taskId} ${formatLabel(job.format)}`
}
