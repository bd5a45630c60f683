/**
 * Streaming downloads of asset files: one file to disk through the runner's proxy, with retries,
 * redirects, a size check, SHA-256, and an atomic rename once the caller's verifier agrees.
 *
 * Not @actions/tool-cache's downloadTool (DESIGN.md §7): it follows no relative redirect, reports
 * no progress, hashes nothing and sleeps 10-20 s between tries. The request goes through
 * src/http.ts instead, whose agents come from the toolkit, so HTTPS_PROXY / NO_PROXY behave the same.
 * Writing and hashing the body, and why they are fast, are in hashing-writer.ts.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import * as path from 'node:path'
import { formatBytes, formatDuration, formatRate } from '../units.js'
import { type HttpResponse, NetworkError, sendRequest, toRequestError } from '../net/http.js'
import { redactUrl, redirectTarget, refuseUrl } from '../net/url-policy.js'
import { type BackoffPolicy, DEFAULT_BACKOFF, parseRetryAfter, retryDelay } from '../net/retry.js'
import { FileWriteError, HashingFileWriter } from './hashing-writer.js'
import { cancellationOf, errorMessage } from '../errors.js'

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
const PROGRESS_CHECK_BYTES = 1024 * 1024


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
    throw new DownloadError(shownUrl, `cannot create ${folder}: ${errorMessage(error)}`, true, 0, {
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
      throw new DownloadError(shownUrl, errorMessage(error), true, attempt, { cause: error })
    }
    try {
      await rename(tempPath, request.destination)
    } catch (error) {
      await rm(tempPath, { force: true })
      const reason = `cannot rename the download to ${request.destination}: ${errorMessage(error)}`
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
        failure = { error: cancellationOf(signal) }
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

/** The writer's own failures are permanent: another try would meet the same disk. */
function fromWriter(error: unknown): unknown {
  return error instanceof FileWriteError ? new AttemptError(error.message, true) : error
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
    throw fromWriter(error)
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
      if (error instanceof FileWriteError) throw fromWriter(error)
      const failure = toRequestError(error, { signal })
      if (!(failure instanceof NetworkError)) throw failure
      const progress = expected !== undefined ? ` after ${received} of ${expected} bytes` : ''
      throw new AttemptError(`the connection failed${progress} (${failure.message})`, false)
    })
    const { bytes, sha256 } = await writer.finish().catch((error: unknown) => {
      throw fromWriter(error)
    })
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
    const onAbort = (): void => fail(cancellationOf(signal))
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

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const text = headers['content-length']
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancellationOf(signal)
}
