/**
 * One file through the upload service (DESIGN.md §2d): a token of its own; one request when it
 * fits in a block, else init, the blocks the service lacks (two at once), read at their offsets;
 * then the status until the service says where the file is.
 */
import { isRecord } from '../domain/json.js'
import { DeadlineError } from '../net/retry.js'
import { mapBounded } from '../providers/bounded.js'
import { serverText } from '../report/redact.js'
import { formatBytes } from '../units.js'
import { UploadError } from './answers.js'
import { fetchToken, OusSession, type UploadContext } from './client.js'
import type { FileDigest } from './digest.js'
import { blocksToSend } from './lack-blocks.js'
import { multipartBody } from './multipart.js'

export interface UploadItem {
  path: string
  /** The name the service gives the file, and so its public URL (the extension counts). */
  name: string
}

export interface UploadedFile extends UploadItem {
  /** The public URL that jobs take. */
  url: string
  md5: string
  bytes: number
  /** The service had the file already: nothing was sent. */
  deduplicated: boolean
  /** The bytes of the file sent this time (less than `bytes` when blocks were there already). */
  sentBytes: number
}

export const PATHS = {
  single: '/ous/api/v2/single/upload',
  init: '/ous/api/v2/block/upload/init',
  part: '/ous/api/v2/block/upload/part',
  status: '/ous/api/v2/upload/status'
} as const

/** Blocks of one file in flight at once, as the vendor's client sends them. */
export const PART_CONCURRENCY = 2
export const PROGRESS_INTERVAL_MS = 5000
export const STATUS_DONE = 5
export const STATUS_FAILED: readonly number[] = [6, 8]
// Shorter than the vendor client's 300 ms at first, since most files are done at once; then
// doubling, so a slow one costs few requests.
const STATUS_FIRST_WAIT_MS = 100
const STATUS_MAX_WAIT_MS = 2000

/** A file whose bytes the service has: what is left is to wait for its status. */
export interface SentFile {
  item: UploadItem
  digest: FileDigest
  session: OusSession
  /** The bytes sent, or 'deduplicated' when the service needed none. */
  sent: number | 'deduplicated'
  started: number
}

/** A token, then the file's bytes (or none, if the service has them). */
export async function sendFile(
  item: UploadItem,
  digest: FileDigest,
  context: UploadContext,
  signal: AbortSignal
): Promise<SentFile> {
  const started = context.clock.now()
  const token = await fetchToken(context, signal)
  const session = new OusSession(context, token, signal)
  const sent =
    digest.bytes <= token.blockSize
      ? await single(item, digest, session)
      : await blocks(item, digest, session, context, signal)
  return { item, digest, session, sent, started }
}

/** Waits for the service to finish a sent file: its public URL, or why it failed. */
export async function finishFile(
  file: SentFile,
  context: UploadContext,
  signal: AbortSignal
): Promise<UploadedFile> {
  const { item, digest, sent } = file
  const url = await finished(item, digest, file.session, context, signal)
  const deduplicated = sent === 'deduplicated'
  const seconds = ((context.clock.now() - file.started) / 1000).toFixed(1)
  context.log.info(
    sent === 'deduplicated'
      ? `${item.name}: the upload service has it already (${formatBytes(digest.bytes)}, MD5 ${digest.md5}); nothing sent`
      : `${item.name}: uploaded ${formatBytes(sent)} of ${formatBytes(digest.bytes)} in ${seconds} s`
  )
  const uploaded: UploadedFile = {
    ...item,
    url,
    md5: digest.md5,
    bytes: digest.bytes,
    deduplicated,
    sentBytes: sent === 'deduplicated' ? 0 : sent
  }
  context.onUploaded?.(uploaded)
  return uploaded
}

async function single(item: UploadItem, digest: FileDigest, session: OusSession): Promise<number> {
  const form = multipartBody([['md5', digest.md5]], 'file', item.name, {
    path: item.path,
    start: 0,
    length: digest.bytes
  })
  await session.postForm(PATHS.single, form, `the upload of ${item.name}`)
  return digest.bytes
}

/** The bytes sent, or 'deduplicated' when the service needs none. */
async function blocks(
  item: UploadItem,
  digest: FileDigest,
  session: OusSession,
  context: UploadContext,
  signal: AbortSignal
): Promise<number | 'deduplicated'> {
  const { blockSize } = session
  const count = Math.ceil(digest.bytes / blockSize)
  const init = await session.postQuery(
    PATHS.init,
    { md5: digest.md5, blocks: String(count), size: String(digest.bytes), name: item.name },
    `the block upload of ${item.name}`
  )
  if (!isRecord(init)) {
    throw new UploadError(
      `The upload service answered the block upload of ${item.name} without data`
    )
  }
  if (init.deduplicated === true) return 'deduplicated'
  const wanted = blocksToSend(init.lackBlocks, count)
  const lengthOf = (block: number): number =>
    Math.min(blockSize, digest.bytes - (block - 1) * blockSize)
  const total = wanted.reduce((sum, block) => sum + lengthOf(block), 0)
  if (wanted.length < count) {
    context.log.info(
      `${item.name}: the upload service has ${count - wanted.length} of ${count} blocks already; sending ${wanted.length}`
    )
  }
  let sent = 0
  const stopProgress = everyInterval(context, () =>
    context.log.info(
      `${item.name}: ${formatBytes(sent)} of ${formatBytes(total)} sent (${Math.floor((sent / Math.max(total, 1)) * 100)}%)`
    )
  )
  try {
    await mapBounded(wanted, PART_CONCURRENCY, signal, async (block, partSignal) => {
      const form = multipartBody([['block', String(block)]], 'file', `${item.name}.part${block}`, {
        path: item.path,
        start: (block - 1) * blockSize,
        length: lengthOf(block)
      })
      await session.postForm(PATHS.part, form, `block ${block} of ${item.name}`, partSignal)
      sent += lengthOf(block)
    })
  } finally {
    stopProgress()
  }
  return sent
}

/** Polls the status until done (its public URL) or failed; the token names the upload. */
async function finished(
  item: UploadItem,
  digest: FileDigest,
  session: OusSession,
  context: UploadContext,
  signal: AbortSignal
): Promise<string> {
  const { clock } = context
  let wait = STATUS_FIRST_WAIT_MS
  while (true) {
    const data = await session.get(PATHS.status, `the status of ${item.name}`, signal)
    const status = isRecord(data) ? data.status : undefined
    if (isRecord(data) && STATUS_FAILED.includes(status as number)) {
      const code = data.errorCode ?? 'none'
      const message = typeof data.errorMsg === 'string' ? `: ${serverText(data.errorMsg)}` : ''
      throw new UploadError(
        `The upload service failed the upload of ${item.name} (status ${String(status)}, error code ${serverText(String(code))}${message})`,
        'Run the step again: the blocks the service kept are not sent twice.'
      )
    }
    if (isRecord(data) && status === STATUS_DONE) {
      if (typeof data.url !== 'string' || data.url === '') {
        throw new UploadError(`The upload service finished ${item.name} without its URL`)
      }
      if (
        typeof data.md5 === 'string' &&
        data.md5 !== '' &&
        data.md5.toLowerCase() !== digest.md5
      ) {
        throw new UploadError(
          `The upload service holds ${item.name} with MD5 ${serverText(data.md5)}, not ${digest.md5}`
        )
      }
      return data.url
    }
    if (clock.now() + wait >= context.deadline) throw new DeadlineError()
    await clock.sleep(wait, signal)
    wait = Math.min(STATUS_MAX_WAIT_MS, wait * 2)
  }
}

/** Calls `tick` every PROGRESS_INTERVAL_MS until the returned stop is called. */
function everyInterval(context: UploadContext, tick: () => void): () => void {
  let cancel = (): void => undefined
  let stopped = false
  const arm = (): void => {
    cancel = context.clock.setTimer(() => {
      if (stopped) return
      tick()
      arm()
    }, PROGRESS_INTERVAL_MS)
  }
  arm()
  return () => {
    stopped = true
    cancel()
  }
}
