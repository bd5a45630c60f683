/**
 * Streaming downloads of asset files: one file to disk through the runner's proxy, with retries,
 * redirects, a size check, SHA-256, and an atomic rename once the caller's verifier agrees.
 *
 * Not @actions/tool-cache's downloadTool (DESIGN.md §7): it follows no relative redirect, reports
 * no progress, hashes nothing and sleeps 10-20 s between tries. The request goes through
 * src/http.ts instead, whose agents come from the toolkit, so HTTPS_PROXY / NO_PROXY behave the same.
 *
 * Speed: Node's HTTP client reads the socket in 64 KiB chunks on the main thread, which already
 * costs about as much as curl's whole download; so little else runs there. Chunks are copied into
 * four 2 MiB buffers; a full buffer is written by one positioned write (libuv's thread pool), then
 * moved (transferred, not copied) to a worker thread that hashes it and hands it back. Filling,
 * writing and hashing thus run at once on different buffers, and memory is the buffers whatever
 * the file size: when all are busy the socket is paused. (Shared memory would spare the moves,
 * but V8 copies into a SharedArrayBuffer byte by byte: 0.5 s per GiB on the main thread.)
 */
import { createHash, randomBytes } from 'node:crypto'
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import * as path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Worker } from 'node:worker_threads'
import { formatBytes, formatDuration, formatRate } from '../units.js'
import {
  CancelledError,
  type HttpResponse,
  NetworkError,
  sendRequest,
  toRequestError
} from '../http.js'
import { isLoopbackHost } from '../inputs.js'
import { type BackoffPolicy, DEFAULT_BACKOFF, parseRetryAfter, retryDelay } from '../retry.js'

export interface DownloadRequest {
  url: string
  /** Final absolute path; its folder is created. */
  destination: string
  /** Names the file in logs, e.g. `3FO4K4WBNNYV PLY`. */
  label: string
}

export interface DownloadResult {
  /** Without its query string. */
  url: string
  destination: string
  bytes: number
  sha256: string
  ms: number
  attempts: number
}

export interface DownloadOptions {
  signal?: AbortSignal
  /** Tries in all, the first included (default 5). */
  maxAttempts?: number
  backoff?: BackoffPolicy
  /** Abandons an attempt when the socket stays silent this long (default 60 s). */
  idleTimeoutMs?: number
  /** Interval of progress lines during long downloads (default 5 s). */
  progressEveryMs?: number
  /** Inspects the complete temporary file; throws to reject it. Not retried. */
  verify?: (tempPath: string) => Promise<void>
  /**
   * Host names also allowed over plain http, beside loopback names. For tests that reach a local
   * server by a name the proxy does not bypass; never set from user input.
   */
  allowInsecureHosts?: readonly string[]
}

export interface DownloadLog {
  info(message: string): void
  debug(message: string): void
  warning(message: string): void
}

export interface DownloadDeps {
  /** Milliseconds for durations (any origin). */
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  log: DownloadLog
  /** Unix milliseconds, to read `Retry-After` dates (default Date.now). */
  wallClock?(): number
}

/** A file that could not be brought down whole and verified. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError'

  constructor(
    /** Without its query string, which may carry a signature. */
    readonly url: string,
    readonly reason: string,
    /** True when no retry could help (a 404, a refused URL, a file that failed verification). */
    readonly permanent: boolean,
    readonly attempts: number,
    options?: { cause?: unknown }
  ) {
    super(`could not download ${url}: ${reason}`, options)
  }
}

export const DEFAULT_MAX_ATTEMPTS = 5
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000
export const DEFAULT_PROGRESS_EVERY_MS = 5000
const MAX_REDIRECTS = 10
/** A server asking for a longer pause gets this one; the next try counts against maxAttempts. */
const MAX_RETRY_AFTER_MS = 120_000
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/**
 * Four buffers of 2 MiB: one filling, one being written, one being hashed, one spare. Measured on
 * 1 GiB (bench/download.ts): more or larger buffers cost RSS and were not faster.
 */
const BUFFER_BYTES = 2 * 1024 * 1024
const BUFFER_COUNT = 4
/** Between young-generation GCs (see collectGarbage); at 8 MiB one download's RSS passed 100 MB. */
const GARBAGE_EVERY_BYTES = 2 * 1024 * 1024
/** Below this, a worker's start-up costs more than hashing on the main thread. */
const WORKER_HASH_MIN_BYTES = 16 * 1024 * 1024
const PROGRESS_CHECK_BYTES = 1024 * 1024

/** The URL as it may be shown: no query string, fragment or credentials. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin}${parsed.pathname}`
  } catch {
    return String(url).split(/[?#]/, 1)[0]
  }
}

/**
 * Downloads one file to `request.destination`: nothing appears there unless it arrived whole and
 * `verify` accepted it; the temporary file is removed on every failure and on cancellation.
 * Throws DownloadError, or the signal's reason (CancelledError) when cancelled.
 */
export async function downloadFile(
  request: DownloadRequest,
  options: DownloadOptions,
  deps: DownloadDeps
): Promise<DownloadResult> {
  const { signal } = options
  const { log } = deps
  const shownUrl = redactUrl(request.url)
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    throw new DownloadError(shownUrl, 'not a valid URL', true, 0)
  }
  const refusal = refuseUrl(url, options.allowInsecureHosts)
  if (refusal) throw new DownloadError(shownUrl, refusal, true, 0)

  const folder = path.dirname(request.destination)
  try {
    await mkdir(folder, { recursive: true })
  } catch (error) {
    throw new DownloadError(shownUrl, `cannot create ${folder}: ${messageOf(error)}`, true, 0, {
      cause: error
    })
  }

  const started = deps.now()
  log.info(`${request.label}: downloading ${shownUrl}`)
  for (let attempt = 1; ; attempt++) {
    throwIfCancelled(signal)
    const tempPath = path.join(
      folder,
      `.${path.basename(request.destination)}.${randomBytes(6).toString('hex')}.part`
    )
    let fetched: Fetched
    try {
      fetched = await fetchOnce(url, tempPath, request.label, options, deps)
    } catch (error) {
      await rm(tempPath, { force: true })
      throwIfCancelled(signal)
      if (!(error instanceof AttemptError)) throw error
      if (error.permanent || attempt >= maxAttempts) {
        const reason = attempt > 1 ? `${error.reason} (after ${attempt} attempts)` : error.reason
        throw new DownloadError(shownUrl, reason, error.permanent, attempt, { cause: error })
      }
      const backoff = options.backoff ?? DEFAULT_BACKOFF
      const delay = Math.min(
        MAX_RETRY_AFTER_MS,
        retryDelay(attempt - 1, error.retryAfterMs, backoff, deps.random)
      )
      log.warning(
        `${request.label}: ${error.reason}; attempt ${attempt} of ${maxAttempts}, trying again in ${formatDuration(delay)}.`
      )
      await deps.sleep(delay, signal)
      continue
    }

    try {
      await options.verify?.(tempPath)
    } catch (error) {
      await rm(tempPath, { force: true })
      throwIfCancelled(signal)
      throw new DownloadError(shownUrl, messageOf(error), true, attempt, { cause: error })
    }
    try {
      await rename(tempPath, request.destination)
    } catch (error) {
      await rm(tempPath, { force: true })
      const reason = `cannot rename the download to ${request.destination}: ${messageOf(error)}`
      throw new DownloadError(shownUrl, reason, true, attempt, { cause: error })
    }

    const ms = deps.now() - started
    log.info(
      `${request.label}: ${formatBytes(fetched.bytes)} in ${formatDuration(ms)} (${formatRate(fetched.bytes, fetched.ms)}) to ${request.destination}`
    )
    return {
      url: shownUrl,
      destination: request.destination,
      bytes: fetched.bytes,
      sha256: fetched.sha256,
      ms,
      attempts: attempt
    }
  }
}

/**
 * Runs `worker` over `items` with at most `concurrency` at once. After the first failure (or
 * cancellation) no new item starts; the running ones are awaited, then the first error is thrown.
 * Results come in input order.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<R>,
  signal?: AbortSignal
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const lane = async (): Promise<void> => {
    while (!failure && next < items.length) {
      if (signal?.aborted) {
        failure = { error: cancellation(signal) }
        return
      }
      const index = next++
      try {
        results[index] = await worker(items[index])
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  const lanes = Math.max(1, Math.min(Math.floor(concurrency), items.length))
  await Promise.all(Array.from({ length: lanes }, lane))
  if (failure) throw failure.error
  return results
}

/** Why this URL may not be fetched, or undefined when it may. */
function refuseUrl(url: URL, allowInsecureHosts: readonly string[] = []): string | undefined {
  if (url.protocol === 'https:') return undefined
  const host = url.hostname.toLowerCase()
  if (url.protocol === 'http:' && (isLoopbackHost(host) || allowInsecureHosts.includes(host))) {
    return undefined
  }
  return `only https: URLs are downloaded (plain http only from this machine); got ${redactUrl(url)}`
}

/** Where a redirect from `from` leads (relative Locations included), or why it is not followed. */
export function redirectTarget(
  from: URL,
  location: string | undefined,
  allowInsecureHosts?: readonly string[]
): { next: URL } | { refusal: string } {
  if (!location) return { refusal: 'a redirect without a Location header' }
  let next: URL
  try {
    next = new URL(location, from)
  } catch {
    return { refusal: 'a redirect to an invalid Location' }
  }
  if (from.protocol === 'https:' && next.protocol !== 'https:') {
    return { refusal: `refused a redirect from https to ${redactUrl(next)}` }
  }
  const refusal = refuseUrl(next, allowInsecureHosts)
  return refusal ? { refusal: `refused a redirect: ${refusal}` } : { next }
}

/** One try failed; `permanent` says whether another could help. */
class AttemptError extends Error {
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number
  ) {
    super(reason)
    this.name = 'AttemptError'
  }
}

interface Fetched {
  bytes: number
  sha256: string
  /** Of this attempt alone, for the rate. */
  ms: number
}

async function fetchOnce(
  start: URL,
  tempPath: string,
  label: string,
  options: DownloadOptions,
  deps: DownloadDeps
): Promise<Fetched> {
  const { signal } = options
  const began = deps.now()
  const response = await follow(start, label, options, deps)
  const expected = contentLength(response.headers)
  const writer = await HashingFileWriter.open(tempPath, expected).catch((error: unknown) => {
    response.body.destroy()
    throw new AttemptError(`cannot write ${tempPath}: ${messageOf(error)}`, true)
  })
  try {
    const every = options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS
    let received = 0
    let reported = began
    let nextCheck = PROGRESS_CHECK_BYTES
    const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    await pump(response.body, writer, { signal, idleTimeoutMs }, chunkBytes => {
      received += chunkBytes
      // The clock is read once per MiB, not per 64 KiB chunk.
      if (received < nextCheck) return
      nextCheck = received + PROGRESS_CHECK_BYTES
      const now = deps.now()
      if (now - reported < every) return
      reported = now
      const share = expected
        ? ` of ${formatBytes(expected)} (${Math.floor((received / expected) * 100)}%)`
        : ''
      deps.log.info(
        `${label}: ${formatBytes(received)}${share}, ${formatRate(received, now - began)}`
      )
    }).catch((error: unknown) => {
      if (error instanceof AttemptError) throw error
      const failure = toRequestError(error, { signal })
      if (!(failure instanceof NetworkError)) throw failure
      const progress = expected !== undefined ? ` after ${received} of ${expected} bytes` : ''
      throw new AttemptError(`the connection failed${progress} (${failure.message})`, false)
    })
    const { bytes, sha256 } = await writer.finish()
    if (expected !== undefined && bytes !== expected) {
      throw new AttemptError(`the body ended after ${bytes} of ${expected} bytes`, false)
    }
    return { bytes, sha256, ms: deps.now() - began }
  } finally {
    await writer.abort()
  }
}

/** GETs `start`, following redirects itself; resolves with a 200 response, body unread. */
async function follow(
  start: URL,
  label: string,
  options: DownloadOptions,
  deps: DownloadDeps
): Promise<HttpResponse> {
  let url = start
  for (let hops = 0; ; hops++) {
    let response: HttpResponse
    try {
      response = await sendRequest({
        method: 'GET',
        url,
        // The size check needs the bytes as stored, not a transfer encoding of them.
        headers: { 'Accept-Encoding': 'identity' },
        signal: options.signal,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
      })
    } catch (error) {
      if (error instanceof NetworkError) {
        throw new AttemptError(`network error: ${error.message}`, false)
      }
      throw error
    }
    const { status, headers, body } = response
    if (status === 200) return response

    if (REDIRECT_STATUSES.has(status)) {
      body.resume()
      if (hops >= MAX_REDIRECTS) {
        throw new AttemptError(`more than ${MAX_REDIRECTS} redirects`, true)
      }
      const target = redirectTarget(url, firstHeader(headers.location), options.allowInsecureHosts)
      if ('refusal' in target) throw new AttemptError(`HTTP ${status}: ${target.refusal}`, true)
      deps.log.debug(`${label}: HTTP ${status} to ${redactUrl(target.next)}`)
      url = target.next
      continue
    }

    const retryAfter = parseRetryAfter(
      firstHeader(headers['retry-after']),
      (deps.wallClock ?? Date.now)()
    )
    if (status === 408 || status === 429 || status >= 500) {
      body.destroy()
      throw new AttemptError(`HTTP ${status}`, false, retryAfter)
    }
    const excerpt = await readExcerpt(body)
    const detail = excerpt && !excerpt.startsWith(String(status)) ? ` (${excerpt})` : ''
    const hint = status === 401 || status === 403 ? '; the signed URL may have expired' : ''
    throw new AttemptError(`HTTP ${status}${detail}${hint}`, true)
  }
}

const EXCERPT_CHARS = 160

/** The start of an error page, in one line: often the only clue (an expired signature, a firewall). */
async function readExcerpt(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      size += chunk.length
      if (size >= EXCERPT_CHARS * 4) break
    }
  } catch {
    // An excerpt is a courtesy; the status says enough.
  } finally {
    body.destroy()
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
  const trimmed = text.trim()
  return trimmed.length > EXCERPT_CHARS ? `${trimmed.slice(0, EXCERPT_CHARS)}…` : trimmed
}

/**
 * Feeds the body to the writer, pausing it while the writer has no free buffer. A failure names
 * a silent connection as such (src/http.ts ends it after idleTimeoutMs; the body only sees an
 * abort).
 */
function pump(
  body: IncomingMessage,
  writer: HashingFileWriter,
  options: { signal?: AbortSignal; idleTimeoutMs: number },
  onChunk: (bytes: number) => void
): Promise<void> {
  const { signal, idleTimeoutMs } = options
  return new Promise<void>((resolve, reject) => {
    const socket = body.socket as IncomingMessage['socket'] | null
    let silent = false
    const onSilence = (): void => {
      silent = true
    }
    let settled = false
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      signal?.removeEventListener('abort', onAbort)
      socket?.removeListener('timeout', onSilence)
      return true
    }
    const fail = (error: unknown): void => {
      if (!settle()) return
      body.destroy()
      reject(silent ? new NetworkError(`no data for ${idleTimeoutMs} ms`, 'ETIMEDOUT') : error)
    }
    const onAbort = (): void => fail(cancellation(signal))
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    socket?.on('timeout', onSilence)
    // The connection may have failed while the file was being opened.
    if (body.destroyed) return fail(body.errored ?? closedEarly())
    writer.onError = fail
    body.on('data', (chunk: Buffer) => {
      onChunk(chunk.length)
      if (!writer.push(chunk)) {
        body.pause()
        writer.whenRoom(() => body.resume())
      }
    })
    body.once('end', () => {
      if (settle()) resolve()
    })
    body.once('error', fail)
    body.once('close', () => {
      if (!body.complete) fail(closedEarly())
    })
  })
}

function closedEarly(): NetworkError {
  return new NetworkError('the connection closed early', 'ECONNRESET')
}

/** Computes SHA-256 over buffers in the order given. */
interface Hasher {
  /**
   * Hashes the first `length` bytes of `memory`, then gives the memory back for reuse: the same
   * Buffer, or a new one over the same bytes when they went to another thread and back.
   */
  update(memory: Buffer, length: number): Promise<Buffer | undefined>
  digest(): Promise<string>
  close(): void
}

/** For small files: on the main thread. */
class InlineHasher implements Hasher {
  private readonly hash = createHash('sha256')

  async update(memory: Buffer, length: number): Promise<Buffer> {
    this.hash.update(memory.subarray(0, length))
    return memory
  }

  async digest(): Promise<string> {
    return this.hash.digest('hex')
  }

  close(): void {}
}

// Inline, so that it survives bundling into one ESM file; CommonJS, as eval workers are.
// Buffers are transferred there and back (moved, not copied).
const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const hashes = new Map()
parentPort.on('message', ({ op, stream, memory, length }) => {
  let hash = hashes.get(stream)
  if (op === 'close') return hashes.delete(stream)
  if (!hash) hashes.set(stream, (hash = createHash('sha256')))
  if (op === 'update') {
    hash.update(new Uint8Array(memory, 0, length))
    parentPort.postMessage({ stream, memory }, [memory])
  } else {
    hashes.delete(stream)
    parentPort.postMessage({ stream, digest: hash.digest('hex') })
  }
})
`

interface Reply {
  stream: number
  memory?: ArrayBuffer
  digest?: string
}

interface Waiter {
  resolve(reply: Reply | undefined): void
  reject(error: Error): void
}

/**
 * One worker thread hashes every large download in flight (each is a stream of buffers), so
 * parallel downloads do not each pay for a V8 isolate. It ends when the last stream closes.
 */
class HashWorker {
  private static current: HashWorker | undefined
  private readonly worker = new Worker(HASH_WORKER_SOURCE, { eval: true })
  /** Replies come in the order of requests, per stream. */
  private readonly waiters = new Map<number, Waiter[]>()
  private nextStream = 1

  private constructor() {
    this.worker.on('message', (reply: Reply) =>
      this.waiters.get(reply.stream)?.shift()?.resolve(reply)
    )
    const broken = (error: Error): void => {
      if (HashWorker.current === this) HashWorker.current = undefined
      for (const queue of this.waiters.values()) queue.forEach(waiter => waiter.reject(error))
      this.waiters.clear()
    }
    this.worker.on('error', broken)
    this.worker.on('exit', code => broken(new Error(`the hashing thread stopped (exit ${code})`)))
  }

  static open(): Hasher {
    HashWorker.current ??= new HashWorker()
    return HashWorker.current.stream()
  }

  private stream(): Hasher {
    const stream = this.nextStream++
    const queue: Waiter[] = []
    this.waiters.set(stream, queue)
    const call = (message: object, transfer: ArrayBuffer[] = []): Promise<Reply | undefined> =>
      new Promise((resolve, reject) => {
        if (!this.waiters.has(stream)) return reject(new Error('the hashing thread stopped'))
        queue.push({ resolve, reject })
        this.worker.postMessage({ stream, ...message }, transfer)
      })
    return {
      update: async (memory, length) => {
        const buffer = memory.buffer as ArrayBuffer
        const reply = await call({ op: 'update', memory: buffer, length }, [buffer])
        return reply?.memory && Buffer.from(reply.memory)
      },
      digest: async () => {
        const reply = await call({ op: 'digest' })
        this.close(stream)
        return reply?.digest ?? ''
      },
      close: () => {
        if (!this.waiters.has(stream)) return
        this.worker.postMessage({ op: 'close', stream })
        this.close(stream)
      }
    }
  }

  private close(stream: number): void {
    this.waiters.get(stream)?.forEach(waiter => waiter.resolve(undefined))
    this.waiters.delete(stream)
    if (this.waiters.size > 0) return
    if (HashWorker.current === this) HashWorker.current = undefined
    void this.worker.terminate()
  }
}

let collectYoungGarbage: (() => void) | undefined

/**
 * Node's HTTP client allocates two fresh buffers per socket read (the read, and the body copy
 * the parser makes), and V8 frees them only at a GC; its heuristics let some 40-60 MB of them
 * pile up first. A young-generation GC every few MiB keeps the RSS flat at a fraction of a
 * millisecond each. V8 exposes `gc` to contexts created while its flag is on: one such context.
 */
function collectGarbage(): void {
  if (!collectYoungGarbage) {
    try {
      v8.setFlagsFromString('--expose-gc')
      const gc = vm.runInNewContext('gc') as (options: { type: 'minor' }) => void
      collectYoungGarbage = () => gc({ type: 'minor' })
    } catch {
      collectYoungGarbage = () => undefined
    } finally {
      v8.setFlagsFromString('--no-expose-gc')
    }
  }
  collectYoungGarbage()
}

/**
 * Writes a stream of chunks to a new file and hashes it, through at most BUFFER_COUNT buffers.
 * `push` copies into the current buffer; a full buffer is written, then hashed, then reused, so
 * filling, writing and hashing run at once on different buffers.
 */
class HashingFileWriter {
  /** Set by the reader: called once with the first write or hashing failure. */
  onError: (error: Error) => void = () => undefined
  private readonly idle: Buffer[] = []
  private allocated = 0
  private current: Buffer | undefined
  private filled = 0
  private position = 0
  private sinceGarbage = 0
  private readonly backlog: Buffer[] = []
  private writes: Promise<void> = Promise.resolve()
  private readonly inFlight = new Set<Promise<void>>()
  private failure: Error | undefined
  private onRoom: (() => void) | undefined
  private closed = false

  private constructor(
    private readonly file: FileHandle,
    private readonly filePath: string,
    private readonly hasher: Hasher,
    private readonly bufferBytes: number
  ) {}

  static async open(
    filePath: string,
    expectedBytes: number | undefined
  ): Promise<HashingFileWriter> {
    const file = await open(filePath, 'wx')
    const large = expectedBytes === undefined || expectedBytes >= WORKER_HASH_MIN_BYTES
    const bufferBytes = Math.min(BUFFER_BYTES, Math.max(64 * 1024, expectedBytes ?? BUFFER_BYTES))
    try {
      const hasher = large ? HashWorker.open() : new InlineHasher()
      return new HashingFileWriter(file, filePath, hasher, bufferBytes)
    } catch (error) {
      await file.close()
      throw error
    }
  }

  /** Takes the chunk; false when the caller must wait for `whenRoom` before pushing more. */
  push(chunk: Buffer): boolean {
    if (this.failure) return true
    this.backlog.push(chunk)
    this.fill()
    return this.backlog.length === 0
  }

  /** Calls back once every pushed chunk has been taken (or the writer failed). */
  whenRoom(callback: () => void): void {
    this.onRoom = callback
  }

  /** Waits for everything pushed to be written; closes the file. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    while (this.backlog.length > 0 && !this.failure) {
      await new Promise<void>(resolve => this.whenRoom(resolve))
    }
    if (!this.failure && this.filled > 0) this.flush()
    await this.settle()
    if (this.failure) throw this.failure
    const sha256 = await this.hasher.digest()
    this.closed = true
    await this.file.close()
    return { bytes: this.position, sha256 }
  }

  /** Stops and closes the file (the caller deletes it). Harmless after finish. */
  async abort(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.failure ??= new Error('aborted')
    this.backlog.length = 0
    await this.settle()
    this.hasher.close()
    await this.file.close().catch(() => undefined)
  }

  private fill(): void {
    while (this.backlog.length > 0 && !this.failure) {
      const memory = (this.current ??= this.takeBuffer())
      if (!memory) return
      const chunk = this.backlog[0]
      const copied = chunk.copy(memory, this.filled)
      this.filled += copied
      if (copied === chunk.length) this.backlog.shift()
      else this.backlog[0] = chunk.subarray(copied)
      if (this.filled === memory.length) this.flush()
    }
  }

  private takeBuffer(): Buffer | undefined {
    const memory = this.idle.pop()
    if (memory || this.allocated === BUFFER_COUNT) return memory
    this.allocated++
    // An ArrayBuffer of its own, so that it can move to the hashing thread and back.
    return Buffer.from(new ArrayBuffer(this.bufferBytes))
  }

  private flush(): void {
    const memory = this.current as Buffer
    const length = this.filled
    const position = this.position
    this.current = undefined
    this.filled = 0
    this.position += length
    // Writes go one after another, so buffers reach the hasher in file order.
    const written = (this.writes = this.writes.then(() =>
      writeFully(this.file, memory, length, position).catch((error: unknown) => {
        throw new AttemptError(`cannot write ${this.filePath}: ${messageOf(error)}`, true)
      })
    ))
    const reused = written
      .then(() => this.hasher.update(memory, length))
      .then(
        back => back && this.release(back),
        (error: unknown) => this.fail(error)
      )
      .finally(() => this.inFlight.delete(reused))
    this.inFlight.add(reused)
    this.sinceGarbage += length
    if (this.sinceGarbage >= GARBAGE_EVERY_BYTES) {
      this.sinceGarbage = 0
      collectGarbage()
    }
  }

  private release(memory: Buffer): void {
    this.idle.push(memory)
    this.fill()
    if (this.backlog.length === 0) this.wake()
  }

  private fail(error: unknown): void {
    if (this.failure) return
    this.failure =
      error instanceof AttemptError
        ? error
        : new AttemptError(`cannot hash ${this.filePath}: ${messageOf(error)}`, true)
    this.onError(this.failure)
    this.wake()
  }

  private wake(): void {
    const callback = this.onRoom
    this.onRoom = undefined
    callback?.()
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }
}

async function writeFully(
  file: FileHandle,
  memory: Buffer,
  length: number,
  position: number
): Promise<void> {
  for (let offset = 0; offset < length;) {
    const { bytesWritten } = await file.write(memory, offset, length - offset, position + offset)
    offset += bytesWritten
  }
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const text = headers['content-length']
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function cancellation(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new CancelledError()
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancellation(signal)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
