/**
 * One asset file to disk: a temporary name, the body piped into a hashing file sink, the size
 * checked against Content-Length, the caller's verifier, then a rename to the final name. Retries
 * go through the one retry helper (src/net/retry.ts) with the download policy below.
 *
 * Not @actions/tool-cache's downloadTool (DESIGN.md §7): it follows no relative redirect, reports
 * no progress, hashes nothing and sleeps 10-20 s between tries. The request goes through
 * src/net/http.ts instead, whose agents come from the toolkit, so HTTPS_PROXY / NO_PROXY behave
 * the same.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import * as path from 'node:path'
import { cancellationOf, errorMessage } from '../errors.js'
import { Fault, type RetryPolicy, withRetries } from '../net/retry.js'
import { redactUrl, refuseUrl } from '../net/url-policy.js'
import { boundedSignal, type Clock, type Log, untilAborted } from '../runtime.js'
import { formatBytes, formatDuration, formatRate } from '../units.js'
import { OverSizeError } from './budgets.js'
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_PROGRESS_EVERY_MS,
  emptyPartial,
  fetchOnce
} from './fetch-once.js'
import { FileWriteError } from './file-sink.js'
import { RefusedError } from './http-get.js'

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
  /** Body bytes received over every try, restarts included (the file's size when nothing dropped). */
  received: number
}

export interface DownloadOptions {
  signal?: AbortSignal
  /** Tries in all, the first included (default 5). */
  maxAttempts?: number
  policy?: RetryPolicy
  /** Abandons an attempt when the socket stays silent this long (default 60 s). */
  idleTimeoutMs?: number
  /** Abandons the whole download, every try and wait included, after this long (default 1 h). */
  timeLimitMs?: number
  /** Interval of progress lines during long downloads (default 5 s). */
  progressEveryMs?: number
  /**
   * Inspects the complete temporary file; throws to reject it (not retried). It is abandoned,
   * not awaited, when the signal aborts: it only reads the file.
   */
  verify?: (tempPath: string, signal: AbortSignal) => Promise<void>
  /**
   * Host names also allowed over plain http, beside loopback names. For tests that reach a local
   * server by a name the proxy does not bypass; never set from user input.
   */
  allowInsecureHosts?: readonly string[]
  /** Private, link-local and metadata addresses allowed: `api-url` is on such a host. */
  allowPrivateHosts?: boolean
  /** `max-file-size`: the download stops as soon as the length, or the bytes received, pass it. */
  maxBytes?: number
  /**
   * On `clock.now()`: when every download must have ended (the overall bound on all downloads),
   * which shortens `timeLimitMs` for a file that starts late.
   */
  deadline?: number
  /** Connections for one file from 16 MiB up, as ranges (default 4; 1 turns ranges off). */
  connections?: number
  /** Takes lanes of the bounded parallelism across files for the extra connections. */
  borrowConnections?: (wanted: number) => { granted: number; release(): void }
  /** The rate of one connection at which no other joins it (parallel.ts); tests set Infinity. */
  oneConnectionEnough?: number
}

export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PROGRESS_EVERY_MS }

export interface DownloadDeps {
  clock: Clock
  log: Pick<Log, 'info' | 'debug' | 'warning'>
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

/** The download was refused because its signed link has expired: a fresh link may pass. */
export function isExpiredLink(error: unknown): error is DownloadError {
  return (
    error instanceof DownloadError && error.cause instanceof RefusedError && error.cause.expired
  )
}

/**
 * Between tries: full jitter from 1 s up to 30 s; a server's `Retry-After` is honoured up to
 * 2 min (a longer pause gets 2 min, and the next try counts against maxAttempts).
 */
export const DOWNLOAD_RETRY: RetryPolicy = {
  floorMs: 1000,
  ceilingMs: 30_000,
  maxRetryAfterMs: 120_000,
  maxAttempts: 5
}
/** Generous for a splat file (3.6 GB at 1 MB/s), yet a stalled proxy cannot hold the step. */
export const DEFAULT_TIME_LIMIT_MS = 60 * 60_000

/**
 * The overall bound on all downloads of a step, on `clock.now()`: `timeout` after the step began,
 * plus as much again for the files of tasks that finished late, that extra at most 10 min. A host
 * that trickles can hold the step that long, no longer.
 */
export function downloadsDeadline(stepStart: number, timeoutMs: number): number {
  return stepStart + timeoutMs + Math.min(timeoutMs, DOWNLOAD_GRACE_MS)
}
export const DOWNLOAD_GRACE_MS = 10 * 60_000

class TimeLimitError extends Error {}

/**
 * Downloads one file to `request.destination`: nothing appears there unless it arrived whole and
 * `verify` accepted it; the temporary file is removed on every failure and on cancellation.
 * Throws DownloadError, or the signal's reason when cancelled.
 */
export async function downloadFile(
  request: DownloadRequest,
  options: DownloadOptions,
  deps: DownloadDeps
): Promise<DownloadResult> {
  const { clock, log } = deps
  const shownUrl = redactUrl(request.url)
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    throw new DownloadError(shownUrl, 'not a valid URL', true, 0)
  }
  const refusal = refuseUrl(url, options.allowInsecureHosts, options.allowPrivateHosts)
  if (refusal) throw new DownloadError(shownUrl, refusal, true, 0)
  if (options.signal?.aborted) throw cancellationOf(options.signal)

  const folder = path.dirname(request.destination)
  try {
    await mkdir(folder, { recursive: true })
  } catch (error) {
    throw new DownloadError(shownUrl, `cannot create ${folder}: ${errorMessage(error)}`, true, 0, {
      cause: error
    })
  }

  const ownLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS
  const overallLeft = options.deadline === undefined ? Infinity : options.deadline - clock.now()
  const overall = overallLeft < ownLimitMs
  const timeLimitMs = Math.max(0, Math.min(ownLimitMs, overallLeft))
  const limit = boundedSignal(options.signal, timeLimitMs, () => new TimeLimitError())
  const limitEnds = performance.now() + timeLimitMs
  const policy = { ...(options.policy ?? DOWNLOAD_RETRY) }
  if (options.maxAttempts !== undefined) policy.maxAttempts = Math.max(1, options.maxAttempts)
  const started = clock.now()
  let attempts = 0
  // One temporary file for every try: a try after a drop appends the rest to it.
  const tempPath = path.join(
    folder,
    `.${path.basename(request.destination)}.${randomBytes(6).toString('hex')}.part`
  )
  const partial = emptyPartial()
  log.info(`${request.label}: downloading ${shownUrl}`)
  try {
    const fetched = await withRetries(
      async attempt => {
        attempts = attempt
        const attemptOptions = {
          signal: limit.signal,
          limitEnds,
          idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
          progressEveryMs: options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS,
          allowInsecureHosts: options.allowInsecureHosts,
          allowPrivateHosts: options.allowPrivateHosts,
          maxBytes: options.maxBytes,
          connections: options.connections,
          borrowConnections: options.borrowConnections,
          oneConnectionEnough: options.oneConnectionEnough,
          policy
        }
        return fetchOnce(url, tempPath, request.label, partial, attemptOptions, deps)
      },
      {
        clock,
        signal: limit.signal,
        policy,
        onRetry: (fault, next, delay) =>
          log.warning(
            `${request.label}: ${fault.message.replace(/\.$/, '')}; attempt ${next - 1} of ${policy.maxAttempts}, trying again in ${formatDuration(delay)}.`
          )
      }
    )
    try {
      if (options.verify) await untilAborted(options.verify(tempPath, limit.signal), limit.signal)
      if (limit.signal.aborted) throw cancellationOf(limit.signal)
    } catch (error) {
      await rm(tempPath, { force: true })
      if (limit.signal.aborted) throw error
      throw new DownloadError(shownUrl, errorMessage(error), true, attempts, { cause: error })
    }
    try {
      await rename(tempPath, request.destination)
    } catch (error) {
      await rm(tempPath, { force: true })
      const reason = `cannot rename the download to ${request.destination}: ${errorMessage(error)}`
      throw new DownloadError(shownUrl, reason, true, attempts, { cause: error })
    }

    const ms = clock.now() - started
    log.info(
      `${request.label}: ${formatBytes(fetched.bytes)} in ${formatDuration(ms)} (${formatRate(fetched.bytes, fetched.ms)}) to ${request.destination}`
    )
    return {
      url: shownUrl,
      destination: request.destination,
      bytes: fetched.bytes,
      sha256: fetched.sha256,
      ms,
      attempts,
      received: partial.received
    }
  } catch (error) {
    await rm(tempPath, { force: true })
    const shown = overall
      ? `the overall limit on downloads (${formatDuration(timeLimitMs)} left when it started)`
      : formatDuration(timeLimitMs)
    throw asDownloadError(error, shownUrl, attempts, options.signal, limit.signal, shown)
  } finally {
    limit.release()
  }
}

function asDownloadError(
  error: unknown,
  shownUrl: string,
  attempts: number,
  cancel: AbortSignal | undefined,
  limited: AbortSignal,
  shownLimit: string
): unknown {
  if (cancel?.aborted) return cancellationOf(cancel)
  if (error instanceof DownloadError) return error
  if (limited.aborted) {
    const reason = `did not finish within ${shownLimit}`
    return new DownloadError(shownUrl, reason, false, attempts, { cause: error })
  }
  if (error instanceof Fault) {
    const reason = attempts > 1 ? `${error.message} (after ${attempts} attempts)` : error.message
    return new DownloadError(shownUrl, reason, false, attempts, { cause: error })
  }
  if (
    error instanceof RefusedError ||
    error instanceof FileWriteError ||
    error instanceof OverSizeError
  ) {
    return new DownloadError(shownUrl, error.message, true, attempts, { cause: error })
  }
  return error
}
