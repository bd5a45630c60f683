/**
 * One try of a download: the GET (http-get.ts), then the body piped into a hashing file sink,
 * with progress lines and the size checked against Content-Length and `max-file-size`. A try
 * after a drop asks for the rest (`Range`, `If-Range`) and appends; it starts from byte 0 again,
 * saying why, when the answer does not continue the file. A failure another try may mend is a
 * `Fault`; the caller keeps the partial file for the next try, and removes it at the end.
 */
import { createHash, type Hash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { cancellationOf, errorMessage } from '../errors.js'
import type { HttpResponse } from '../net/http.js'
import { Fault, type RetryPolicy } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { formatBytes, formatRate } from '../units.js'
import { OverSizeError } from './budgets.js'
import { FileSink, FileWriteError } from './file-sink.js'
import {
  DEFAULT_CONNECTIONS,
  fetchParallel,
  PARALLEL_FROM_BYTES,
  RangesRefused
} from './parallel.js'
import { contentLength, getAsset, shownRedirect } from './http-get.js'
import { acceptsRanges, parseContentRange, rangeMismatch, validatorOf } from './ranges.js'

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000
export const DEFAULT_PROGRESS_EVERY_MS = 5000
const PROGRESS_CHECK_BYTES = 1024 * 1024

export interface AttemptOptions {
  /** Aborts with the cancellation, or at the download's time limit. */
  signal: AbortSignal
  /** On performance.now(): when the download's time limit ends. */
  limitEnds: number
  idleTimeoutMs: number
  progressEveryMs: number
  allowInsecureHosts?: readonly string[]
  allowPrivateHosts?: boolean
  /** `max-file-size`: refused once the length, or the bytes received, pass it. */
  maxBytes?: number
  /** Connections for one large file (`download-connections`, default 4; 1 for none). */
  connections?: number
  /**
   * Takes up to `wanted` more lanes of the bounded parallelism across files, for the extra
   * connections; absent: all of them granted.
   */
  borrowConnections?: (wanted: number) => { granted: number; release(): void }
  /** The rate of one connection at which no other joins it (parallel.ts). */
  oneConnectionEnough?: number
  /** For each range of a parallel download. */
  policy: RetryPolicy
}

export interface AttemptDeps {
  clock: Clock
  log: Pick<Log, 'info' | 'debug' | 'warning'>
}

/** What the tries of one download have brought so far; each try reads and updates it. */
export interface PartialFile {
  /** Bytes in the temporary file, in order, each of them in `hash`. */
  bytes: number
  hash: Hash
  /** `If-Range` for the rest: the ETag, else Last-Modified; undefined before the first answer. */
  validator?: string
  /** The file's length, once an answer named it. */
  total?: number
  /** Whether the server said it serves ranges (or served one). */
  ranges: boolean
  /** Body bytes received over every try, restarts included. */
  received: number
  /** Ranges failed once for this file: one connection from now on. */
  single?: boolean
}

export function emptyPartial(): PartialFile {
  return { bytes: 0, hash: createHash('sha256'), ranges: false, received: 0 }
}

export interface Fetched {
  bytes: number
  sha256: string
  /** Of this attempt alone, for the rate. */
  ms: number
}

/** One try: GET, then the body piped into the sink. Throws a Fault when another try may help. */
export async function fetchOnce(
  url: URL,
  tempPath: string,
  label: string,
  partial: PartialFile,
  options: AttemptOptions,
  deps: AttemptDeps
): Promise<Fetched> {
  const { signal, idleTimeoutMs } = options
  const { clock, log } = deps
  const began = clock.now()
  const restart = (why: string): void => {
    log.info(`${label}: starting from byte 0 again: ${why}`)
    Object.assign(partial, emptyPartial(), { received: partial.received })
  }
  if (partial.bytes > 0 && (!partial.validator || !partial.ranges)) {
    restart(
      partial.validator
        ? 'the server did not say it serves byte ranges'
        : 'the server gave neither an ETag nor Last-Modified to resume against'
    )
  }

  let response = await request(url, partial, label, options, deps)
  if (partial.bytes > 0) {
    const why = resumeRefusal(response, partial)
    if (why) {
      restart(why)
      // A 200 is the whole file, from byte 0: it serves as it is. Another answer is asked again.
      if (response.status !== 200) {
        response.body.destroy()
        response = await request(url, partial, label, options, deps)
      }
    }
  }
  const fresh = partial.bytes === 0
  adopt(response, partial, options.maxBytes)
  if (fresh && splits(response, partial, options)) {
    const outcome = await viaRanges(url, tempPath, label, partial, response, options, deps)
    if (!('body' in outcome)) return { ...outcome, ms: clock.now() - began }
    response = outcome
  }
  const expected = partial.total

  const body: Readable = response.body
  const sink = new FileSink(tempPath, {
    position: partial.bytes,
    hash: partial.hash,
    flags: fresh ? 'w' : 'r+'
  })

  // src/net/http.ts ends a silent socket after idleTimeoutMs; the body then only sees an abort.
  const socket = (body as Partial<IncomingMessage>).socket ?? undefined
  let silent = false
  const onSilence = (): void => {
    silent = true
  }
  socket?.on('timeout', onSilence)
  const every = options.progressEveryMs
  const from = partial.bytes
  let received = from
  let reported = began
  let nextCheck = from + PROGRESS_CHECK_BYTES
  let overSize: OverSizeError | undefined
  // Piped first, so that the counting listener below cannot start the flow before the sink is on.
  const piped = pipeline(body, sink, { signal })
  body.on('data', (chunk: Buffer) => {
    received += chunk.length
    partial.received += chunk.length
    if (options.maxBytes !== undefined && received > options.maxBytes && !overSize) {
      overSize = new OverSizeError(received, options.maxBytes, 'received')
      body.destroy(overSize)
      return
    }
    // The clock is read once per MiB, not per 64 KiB chunk.
    if (received < nextCheck) return
    nextCheck = received + PROGRESS_CHECK_BYTES
    const now = clock.now()
    if (now - reported < every) return
    reported = now
    const share = expected
      ? ` of ${formatBytes(expected)} (${Math.floor((received / expected) * 100)}%)`
      : ''
    log.info(
      `${label}: ${formatBytes(received)}${share}, ${formatRate(received - from, now - began)}`
    )
  })

  try {
    await piped
  } catch (error) {
    if (signal.aborted) throw cancellationOf(signal)
    if (overSize) throw overSize
    if (error instanceof FileWriteError) throw error
    const cause = silent ? `no data for ${idleTimeoutMs} ms` : errorMessage(error)
    const progress = expected !== undefined ? ` after ${received} of ${expected} bytes` : ''
    throw connectionFault(`the connection failed${progress} (${cause})`, error)
  } finally {
    socket?.removeListener('timeout', onSilence)
    // The sink closes its file once its writes have settled; only then may the file go.
    if (!sink.closed) await new Promise(resolve => sink.once('close', resolve))
    await keepWhatLanded(partial, sink, tempPath)
  }
  const { bytes, sha256 } = sink.result as { bytes: number; sha256: string }
  if (expected !== undefined && bytes !== expected) {
    // The hash is spent; a body that ended cleanly but short is no place to resume from anyway.
    Object.assign(partial, emptyPartial(), { received: partial.received })
    throw connectionFault(`the body ended after ${bytes} of ${expected} bytes`)
  }
  return { bytes, sha256, ms: clock.now() - began }
}

/**
 * The file as parallel ranges, when lanes are free: its size and digest; or, when the server
 * turned ranges down, a new answer for the whole file over one connection (or the first answer
 * itself when no lane was free).
 */
async function viaRanges(
  url: URL,
  tempPath: string,
  label: string,
  partial: PartialFile,
  first: HttpResponse,
  options: AttemptOptions,
  deps: AttemptDeps
): Promise<{ bytes: number; sha256: string } | HttpResponse> {
  const wanted = (options.connections ?? DEFAULT_CONNECTIONS) - 1
  const extra = options.borrowConnections?.(wanted) ?? { granted: wanted, release() {} }
  const oneConnection = (): void => {
    Object.assign(partial, emptyPartial(), { received: partial.received, single: true })
  }
  try {
    if (extra.granted === 0) return first
    const job = {
      url,
      tempPath,
      label,
      total: partial.total as number,
      validator: partial.validator as string,
      connections: 1 + extra.granted,
      first
    }
    const onReceived = (bytes: number): number => (partial.received += bytes)
    try {
      const sha256 = await fetchParallel(job, { ...options, onReceived }, deps)
      partial.bytes = job.total
      return { bytes: job.total, sha256 }
    } catch (error) {
      // After a range ran out of tries, another try of the file goes over one connection.
      if (error instanceof Fault) oneConnection()
      if (!(error instanceof RangesRefused)) throw error
      deps.log.warning(`${label}: falling back to one connection: ${error.message}`)
    }
  } finally {
    extra.release()
  }
  oneConnection()
  const response = await request(url, partial, label, options, deps)
  adopt(response, partial, options.maxBytes)
  return response
}

/** Takes what a first answer says of the file (length, validator, ranges); refuses it over budget. */
function adopt(response: HttpResponse, partial: PartialFile, maxBytes: number | undefined): void {
  if (response.status !== 200 && response.status !== 206) {
    response.body.destroy()
    throw connectionFault(`HTTP ${response.status} to a request from byte 0`)
  }
  if (partial.bytes === 0) {
    partial.validator = validatorOf(response.headers)
    partial.ranges = response.status === 206 || acceptsRanges(response.headers)
    partial.total =
      response.status === 206
        ? parseContentRange(response.headers['content-range'])?.total
        : contentLength(response.headers)
  }
  const total = partial.total
  if (maxBytes !== undefined && total !== undefined && total > maxBytes) {
    response.body.destroy()
    throw new OverSizeError(total, maxBytes, 'announced')
  }
}

/** Whether this first answer opens the way to parallel ranges. */
function splits(response: HttpResponse, partial: PartialFile, options: AttemptOptions): boolean {
  return (
    response.status === 200 &&
    !partial.single &&
    partial.ranges &&
    partial.validator !== undefined &&
    partial.total !== undefined &&
    partial.total >= PARALLEL_FROM_BYTES &&
    (options.connections ?? DEFAULT_CONNECTIONS) > 1
  )
}

/** The GET, asking for the rest when part of the file is on disk. */
function request(
  url: URL,
  partial: PartialFile,
  label: string,
  options: AttemptOptions,
  deps: AttemptDeps
): Promise<HttpResponse> {
  const resume = partial.bytes > 0 && partial.validator !== undefined
  if (resume) deps.log.info(`${label}: resuming from byte ${partial.bytes}`)
  return getAsset(url, {
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs,
    // A backstop a second past the time limit, whose own signal ends the exchange first.
    timeoutMs: Math.max(1, options.limitEnds - performance.now()) + 1000,
    allowInsecureHosts: options.allowInsecureHosts,
    allowPrivateHosts: options.allowPrivateHosts,
    headers: resume
      ? { Range: `bytes=${partial.bytes}-`, 'If-Range': partial.validator as string }
      : undefined,
    wallClock: deps.clock.wallClock,
    onRedirect: (status, next) => deps.log.debug(`${label}: ${shownRedirect(status, next)}`)
  })
}

/** Why the answer to a range request does not continue the partial file; undefined when it does. */
function resumeRefusal(response: HttpResponse, partial: PartialFile): string | undefined {
  const { status, headers } = response
  if (status === 200) return 'the server answered the range request with the whole file (HTTP 200)'
  if (status === 416) return 'the server could not serve the rest (HTTP 416)'
  const validator = validatorOf(headers)
  if (validator !== undefined && validator !== partial.validator) {
    return `the file changed on the server (${validator}, was ${partial.validator})`
  }
  return rangeMismatch(headers['content-range'], { from: partial.bytes, total: partial.total })
}

/**
 * After a try, the partial file is what the sink wrote, each byte hashed; a file whose size says
 * otherwise (a write lost) is started over rather than trusted.
 */
async function keepWhatLanded(
  partial: PartialFile,
  sink: FileSink,
  tempPath: string
): Promise<void> {
  partial.bytes = sink.position
  const size = await stat(tempPath).then(
    info => info.size,
    () => -1
  )
  if (size !== sink.position) Object.assign(partial, emptyPartial(), { received: partial.received })
}

function connectionFault(message: string, cause?: unknown): Fault {
  return new Fault(message, 'download connection', undefined, { cause })
}
