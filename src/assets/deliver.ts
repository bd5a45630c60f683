/**
 * Delivery of the succeeded tasks' assets: each chosen format reused from the runner's tool cache
 * or downloaded, verified and checked against the budgets (at most `concurrency` files at once
 * across all tasks), then, when asked, one artifact of every file that verified and is within
 * budget: partial results are still results, as with actions/upload-artifact, and the step fails
 * naming the others. Every file is tried, so one run names every broken file (the first 20 in the
 * error, every one in the log). A cancelled run uploads nothing.
 *
 * `startDelivery` takes tasks as they succeed (`add`), so downloads can start while other tasks
 * are still polled; `deliverAssets` is the same for a finished list of tasks.
 */
import { type AssetFormat, type AssetLink, formatLabel } from '../domain/formats.js'
import { describeError } from '../errors.js'
import type { TaskRecord } from '../poll.js'
import type { ApiKind } from '../providers/provider.js'
import type { Clock, Log } from '../runtime.js'
import { defaultCompressionLevel, uploadArtifact } from './artifact.js'
import { type AssetCache, openAssetCache } from './asset-cache.js'
import { type Budgets, describeOverBudget } from './budgets.js'
import { type AssetJob, describeFailure, type DownloadLimits, fetchAsset } from './fetch-asset.js'
import { assetFileName, uniqueName } from './file-name.js'
import { createLimiter, DEFAULT_CONCURRENCY } from './run-bounded.js'
import type { AssetFile } from './types.js'

export interface UploadSettings {
  name: string
  /** Days, 1 or more: the repository's setting caps it; undefined keeps its default. */
  retentionDays?: number
  /** 0-9; undefined: 0 when every file is SPZ or SOG, else 6 (defaultCompressionLevel). */
  compressionLevel?: number
  /** The whole upload (default 10 min). */
  timeLimitMs?: number
}

export interface DeliveryOptions {
  formats: readonly AssetFormat[]
  /**
   * Say which chosen formats a task lacks (the user listed them); off for `download: all`, which
   * asks for whatever the API gives, not for every format there is. Default on.
   */
  noticeMissing?: boolean
  /** Absolute; files land at `<downloadDir>/<taskId>/<file name>`. */
  downloadDir: string
  /** Upload the files as one artifact; absent for no upload. */
  upload?: UploadSettings
  /** Files downloading at once, across all tasks (default 4). */
  concurrency?: number
  download?: DownloadLimits
  /** Which API gave the URLs: part of the tool cache's key, so required with `cache`. */
  api?: ApiKind
  /** Reuse and keep verified files in the runner's tool cache (default off). */
  cache?: boolean
  /** A file over one fails the delivery, whatever `fail-on` says (default none). */
  budgets?: Budgets
  /**
   * The task's links asked of the service again (TaskSource.refresh), when a signed link has
   * expired; undefined when the service gave none. Absent: an expired link fails its file.
   */
  refresh?: (taskId: string) => Promise<readonly AssetLink[] | undefined>
}

export interface DeliveryDeps {
  clock: Clock
  /** The run's cancellation: files in flight are abandoned and removed, nothing is uploaded. */
  signal: AbortSignal
  log: Log
  env: NodeJS.ProcessEnv
}

export interface Delivery {
  /** Verified files per task id, in the order the tasks were added, each task's in the service's order. */
  files: Map<string, AssetFile[]>
  /** Set when at least one file was downloaded. */
  downloadDir?: string
  /** Holds every file that verified and is within budget, even when others failed. */
  artifact?: { id: number; url: string; digest: string }
  /**
   * Why the step fails: the files that could not be brought down whole, those over a budget
   * (20 of each named at most), or the upload; it says what the artifact holds, if any.
   */
  error?: string
  /** The run was cancelled before the delivery ended: `files` holds what finished before. */
  cancelled: boolean
}

/** What a delivery needs of a succeeded task. */
export interface DeliveryTask {
  taskId: string
  assets: readonly AssetLink[]
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

type Settled = { kind: 'file'; taskId: string; asset: AssetFile } | { kind: 'failed'; why: string }

/** Failures (and files over budget) the error names; the log names every one. */
const NAMED_AT_MOST = 20

export function startDelivery(options: DeliveryOptions, deps: DeliveryDeps): DeliveryRun {
  const { log, signal } = deps
  const { api = 'open-platform', cache = false } = options
  if (cache && !options.api) throw new Error('A delivery with the tool cache needs its API.')
  const { refresh } = options
  const limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY, signal)
  const settings = {
    api,
    downloadDir: options.downloadDir,
    budgets: options.budgets ?? {},
    // A file's extra connections take lanes of the same bound as files do.
    download: {
      ...options.download,
      borrowConnections: (wanted: number) => limiter.borrow(wanted)
    },
    refresh: refresh && (async (job: AssetJob) => sameFile(await refresh(job.taskId), job))
  }
  // Opened by the first file, so that a run with nothing to download never loads it.
  let assetCache: Promise<AssetCache | undefined> | undefined
  const openCache = (): Promise<AssetCache | undefined> =>
    (assetCache ??= cache ? openAssetCache(deps.env, log) : Promise.resolve(undefined))
  const added = new Set<string>()
  const missing: string[] = []
  // By job number, so the outcome does not depend on which download finished first.
  const settled: Array<Settled | undefined> = []
  const pending = new Set<Promise<void>>()
  let finished = false

  const queue = (job: AssetJob): void => {
    const index = settled.length
    settled.push(undefined)
    const done: Promise<void> = limiter
      .run(async () => fetchAsset(job, settings, { ...deps, cache: await openCache() }))
      .then(
        asset => {
          settled[index] = { kind: 'file', taskId: job.taskId, asset }
        },
        (error: unknown) => {
          // A cancelled file is no failure of its own; `cancelled` says why it is missing.
          if (signal.aborted) return
          const why = describeFailure(job, error)
          log.info(`Not delivered: ${why}`)
          settled[index] = { kind: 'failed', why }
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
      const names = new Set<string>()
      const counts = new Map<AssetFormat, number>()
      for (const { format, url } of chosenAssets(task, options.formats)) {
        const fileName = uniqueName(assetFileName(url, format), names)
        const nth = counts.get(format) ?? 0
        counts.set(format, nth + 1)
        queue({ taskId: task.taskId, format, url, fileName, nth })
      }
      if (options.noticeMissing === false) return
      for (const format of options.formats) {
        if (!task.assets.some(asset => asset.format === format))
          missing.push(`${task.taskId} has no ${formatLabel(format)} file`)
      }
    },
    downloaded,
    async finish() {
      finished = true
      if (missing.length > 0)
        log.notice(`Not downloaded, since the service gave no URL: ${missing.join('; ')}.`)
      await downloaded()
      const delivery = summarise(settled, options.downloadDir, signal.aborted)
      if (settled.length === 0 || !options.upload) return delivery
      const good = [...delivery.files.values()].flat().filter(file => !file.overBudget)
      if (delivery.cancelled || good.length === 0) {
        delivery.error = `${delivery.error ?? 'The run was cancelled.'} No artifact was uploaded.`
        return delivery
      }
      await upload(delivery, good, options.upload, options.downloadDir, deps)
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
  const count = succeeded.reduce((sum, task) => sum + chosenAssets(task, options.formats).length, 0)
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

/** The task's links in the chosen formats, in the service's order; `other` is never chosen. */
function chosenAssets(
  task: DeliveryTask,
  formats: readonly AssetFormat[]
): Array<{ format: AssetFormat; url: string }> {
  return task.assets.flatMap(({ format, url }) =>
    format !== 'other' && formats.includes(format) ? [{ format, url }] : []
  )
}

/**
 * The fresh link of the job's file among the task's links: the one at the same path (signed links
 * differ in their query alone), else the job's place among the links of its format.
 */
function sameFile(links: readonly AssetLink[] | undefined, job: AssetJob): string | undefined {
  const same = (links ?? []).filter(link => link.format === job.format)
  const path = pathOf(job.url)
  return (same.find(link => path !== undefined && pathOf(link.url) === path) ?? same[job.nth])?.url
}

function pathOf(url: string): string | undefined {
  try {
    const { origin, pathname } = new URL(url)
    return origin + pathname
  } catch {
    return undefined
  }
}

function summarise(
  settled: ReadonlyArray<Settled | undefined>,
  downloadDir: string,
  cancelled: boolean
): Delivery {
  const files = new Map<string, AssetFile[]>()
  const failures: string[] = []
  const overBudget: string[] = []
  let delivered = 0
  for (const outcome of settled) {
    if (outcome?.kind === 'file') {
      const { taskId, asset } = outcome
      files.set(taskId, [...(files.get(taskId) ?? []), asset])
      delivered++
      if (asset.overBudget)
        overBudget.push(describeOverBudget(taskId, asset.format, asset.overBudget))
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
      `${failures.length} of ${total} download${total === 1 ? '' : 's'} failed: ${named(failures)}`
    )
  }
  if (overBudget.length > 0) {
    const are = overBudget.length === 1 ? 'is' : 'are'
    problems.push(
      `${overBudget.length} of ${delivered} file${delivered === 1 ? '' : 's'} ${are} over a budget: ${named(overBudget)}`
    )
  }
  const unfinished = total - failures.length - delivered
  if (cancelled && unfinished > 0) {
    problems.push(`Downloads were cancelled with ${unfinished} of ${total} files unfinished.`)
  }
  if (problems.length > 0) delivery.error = problems.join(' ')
  return delivery
}

/** The first NAMED_AT_MOST sentences, then how many more: the error stays short at any scale. */
function named(sentences: readonly string[]): string {
  const rest = sentences.length - NAMED_AT_MOST
  const shown = sentences.slice(0, NAMED_AT_MOST).join(' ')
  return rest > 0 ? `${shown} And ${rest} more, each named in the log.` : shown
}

/**
 * Uploads the good files as the artifact. When other files failed or are over budget, the error
 * (already naming them) says what the artifact holds, so that the step's message tells the whole
 * story: the good files are there, and the step fails for the rest.
 */
async function upload(
  delivery: Delivery,
  files: readonly AssetFile[],
  settings: UploadSettings,
  downloadDir: string,
  deps: DeliveryDeps
): Promise<void> {
  const { log } = deps
  const problems = delivery.error
  const paths = files.map(file => file.path)
  const level = settings.compressionLevel ?? defaultCompressionLevel(files.map(file => file.format))
  log.startGroup(
    `Uploading ${paths.length} file${paths.length === 1 ? '' : 's'} as the artifact ${settings.name} (compression level ${level})`
  )
  try {
    const artifact = await uploadArtifact(
      {
        name: settings.name,
        rootDirectory: downloadDir,
        files: paths,
        retentionDays: settings.retentionDays,
        compressionLevel: level
      },
      { signal: deps.signal, timeLimitMs: settings.timeLimitMs, env: deps.env }
    )
    delivery.artifact = { id: artifact.id, url: artifact.url, digest: artifact.digest }
    log.info(
      `Artifact ${settings.name}: id ${artifact.id}, ${artifact.size} bytes, ${artifact.url}`
    )
    if (problems !== undefined) {
      const other = files.length === 1 ? 'the other file' : `the other ${files.length} files`
      delivery.error = `${problems} The artifact ${settings.name} holds ${other}.`
    }
  } catch (error) {
    delivery.cancelled = deps.signal.aborted
    const failed = `Could not upload the artifact: ${describeError(error)}`
    delivery.error = problems === undefined ? failed : `${problems} ${failed}`
  } finally {
    log.endGroup()
  }
}
