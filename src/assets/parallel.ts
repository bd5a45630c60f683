/**
 * One large file as byte ranges over several connections at once (issue 16 point 2), for links
 * that cap each connection. The file is cut into pieces taken in order by `connections` lanes;
 * each piece is its own `Range` request, resumed on its own after a drop (the one retry helper),
 * and written in place in one file. The digest follows the written prefix (ordered-hash.ts).
 *
 * A server that refuses a range, answers with another length or another ETag, or a Content-Range
 * that does not fit, makes the whole file fall back to one connection (`RangesRefused`).
 */
import { type FileHandle, open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { cancellationOf, errorMessage } from '../errors.js'
import type { HttpResponse } from '../net/http.js'
import { Fault, type RetryPolicy, withRetries } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { formatBytes, formatDuration, formatRate } from '../units.js'
import { FileWriteError } from './file-sink.js'
import { getAsset, shownRedirect } from './http-get.js'
import { OrderedHash } from './ordered-hash.js'
import { rangeMismatch, validatorOf } from './ranges.js'

/** Files from this size up are fetched as ranges; see docs/DECISIONS.md. */
export const PARALLEL_FROM_BYTES = 16 * 1024 * 1024
export const DEFAULT_CONNECTIONS = 4
/**
 * A file that comes at least this fast over its first connection gets no others: on a fast link
 * they only share the same cores and disk. Measured on 2 cores over loopback (BENCHMARKS.md),
 * 4 connections took 8 s for 1 GiB where one took 5.2 s. The extra connections start as soon as
 * a check finds the file coming slower, as over a link that caps each connection.
 */
export const ONE_CONNECTION_ENOUGH_BYTES_PER_S = 64 * 1024 * 1024
/** How often the first connection's rate is checked while it runs alone. */
const RAMP_CHECK_MS = 500
const PROGRESS_CHECK_BYTES = 1024 * 1024
const MIN_PIECE_BYTES = 4 * 1024 * 1024
const MAX_PIECE_BYTES = 64 * 1024 * 1024

/** The server does not serve this file as ranges after all: fetch it over one connection. */
export class RangesRefused extends Error {
  override readonly name = 'RangesRefused'
}

export interface ParallelJob {
  url: URL
  tempPath: string
  label: string
  total: number
  /** `If-Range` for every range: the first answer's ETag or Last-Modified. */
  validator: string
  connections: number
  /** The first answer (a 200 from byte 0), read for the first piece, then let go. */
  first: HttpResponse
}

export interface ParallelOptions {
  signal: AbortSignal
  limitEnds: number
  idleTimeoutMs: number
  policy: RetryPolicy
  /** Interval of progress lines (the file as a whole, every connection together). */
  progressEveryMs: number
  allowInsecureHosts?: readonly string[]
  allowPrivateHosts?: boolean
  /** Counts every body byte received, restarts included. */
  onReceived(bytes: number): void
  /** ONE_CONNECTION_ENOUGH_BYTES_PER_S by default; Infinity starts every connection at once. */
  oneConnectionEnough?: number
}

export interface ParallelDeps {
  clock: Clock
  log: Pick<Log, 'info' | 'debug' | 'warning'>
}

/** Pieces a few per lane, so lanes finish together, and bounded both ways. */
export function pieceBytesFor(total: number, connections: number): number {
  const even = Math.ceil(total / (connections * 4))
  return Math.min(MAX_PIECE_BYTES, Math.max(MIN_PIECE_BYTES, even))
}

/** Fetches the file; resolves with its SHA-256, or throws RangesRefused, a Fault or a cancel. */
export async function fetchParallel(
  job: ParallelJob,
  options: ParallelOptions,
  deps: ParallelDeps
): Promise<string> {
  const { total, label } = job
  const pieceBytes = pieceBytesFor(total, job.connections)
  const pieces = Math.ceil(total / pieceBytes)
  // One failure stops every lane at once; the parent signal stops them all the same way.
  const stop = new AbortController()
  const onAbort = (): void => stop.abort(cancellationOf(options.signal))
  if (options.signal.aborted) onAbort()
  else options.signal.addEventListener('abort', onAbort, { once: true })

  let file: FileHandle
  try {
    file = await open(job.tempPath, 'w+')
  } catch (error) {
    job.first.body.destroy()
    options.signal.removeEventListener('abort', onAbort)
    throw new FileWriteError(job.tempPath, error)
  }
  const hasher = new OrderedHash(file, total, pieceBytes)
  const lanes = Math.min(job.connections, pieces)
  const enough = options.oneConnectionEnough ?? ONE_CONNECTION_ENOUGH_BYTES_PER_S
  let next = 0
  let first: HttpResponse | undefined = job.first
  let failure: { error: unknown } | undefined
  let landed = 0
  let nextCheck = PROGRESS_CHECK_BYTES
  const began = deps.clock.now()
  let reported = began
  const progress = (bytes: number): void => {
    landed += bytes
    // The clock is read once per MiB, not per chunk.
    if (landed < nextCheck) return
    nextCheck = landed + PROGRESS_CHECK_BYTES
    const now = deps.clock.now()
    if (now - reported < options.progressEveryMs) return
    reported = now
    const share = Math.floor((landed / total) * 100)
    deps.log.info(
      `${label}: ${formatBytes(landed)} of ${formatBytes(total)} (${share}%), ${formatRate(landed, now - began)}`
    )
  }

  const fetchPiece = async (index: number): Promise<void> => {
    const start = index * pieceBytes
    const end = Math.min(total, start + pieceBytes)
    await withRetries(
      async () => {
        const from = start + hasher.landedIn(index)
        if (from >= end) return
        const body = await openPiece(index, from, end)
        let position = from
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            options.onReceived(chunk.length)
            const part = chunk.length > end - position ? chunk.subarray(0, end - position) : chunk
            await writeAt(file, job.tempPath, part, position)
            hasher.onLanded(index, position, [part], part.length)
            progress(part.length)
            position += part.length
            if (position >= end) break
          }
        } catch (error) {
          if (stop.signal.aborted) throw stop.signal.reason
          if (error instanceof FileWriteError) throw error
          throw new Fault(
            `range ${from}-${end - 1} failed after ${position - from} bytes (${errorMessage(error)})`,
            'download connection',
            undefined,
            { cause: error }
          )
        } finally {
          body.destroy()
        }
        if (position < end) {
          throw new Fault(
            `range ${from}-${end - 1} ended after ${position - from} bytes`,
            'download connection'
          )
        }
      },
      {
        clock: deps.clock,
        signal: stop.signal,
        policy: options.policy,
        onRetry: (fault, attempt, delay) =>
          deps.log.warning(
            `${label}: ${fault.message}; range attempt ${attempt - 1} of ${options.policy.maxAttempts}, trying again in ${formatDuration(delay)}.`
          )
      }
    )
  }

  const openPiece = async (index: number, from: number, end: number): Promise<Readable> => {
    if (index === 0 && from === 0 && first) {
      const body = first.body
      first = undefined
      return body
    }
    const response = await getAsset(job.url, {
      signal: stop.signal,
      idleTimeoutMs: options.idleTimeoutMs,
      timeoutMs: Math.max(1, options.limitEnds - performance.now()) + 1000,
      allowInsecureHosts: options.allowInsecureHosts,
      allowPrivateHosts: options.allowPrivateHosts,
      headers: { Range: `bytes=${from}-${end - 1}`, 'If-Range': job.validator },
      wallClock: deps.clock.wallClock,
      onRedirect: (status, target) => deps.log.debug(`${label}: ${shownRedirect(status, target)}`)
    })
    const why = refusal(response, from, end)
    if (why) {
      response.body.destroy()
      throw new RangesRefused(why)
    }
    return response.body
  }

  const refusal = (response: HttpResponse, from: number, end: number): string | undefined => {
    if (response.status === 200) return 'the server answered a range with the whole file'
    if (response.status !== 206) return `the server answered a range with HTTP ${response.status}`
    const validator = validatorOf(response.headers)
    if (validator !== undefined && validator !== job.validator) {
      return `the file changed on the server (${validator}, was ${job.validator})`
    }
    return rangeMismatch(response.headers['content-range'], { from, to: end - 1, total })
  }

  const lane = async (): Promise<void> => {
    while (!failure && next < pieces) {
      const index = next++
      try {
        await fetchPiece(index)
      } catch (error) {
        failure ??= { error }
        stop.abort(error)
      }
    }
  }

  // The first connection runs alone while it is fast enough; the others join once it is not.
  const others: Array<Promise<void>> = []
  const startOthers = (why: string): void => {
    deps.log.info(`${label}: ${lanes} connections, ${pieces} ranges${why}`)
    for (let i = 1; i < lanes; i++) others.push(lane())
  }
  // The link's own rate, on the real timers whatever clock the step runs on.
  const rampBegan = performance.now()
  let rampTimer: NodeJS.Timeout | undefined
  const cancelCheck = (): void => clearTimeout(rampTimer)
  const check = (): void => {
    if (failure || next >= pieces) return
    const elapsedMs = performance.now() - rampBegan
    if ((landed * 1000) / elapsedMs < enough) {
      startOthers(` (one connection brought ${formatRate(landed, elapsedMs)})`)
    } else rampTimer = setTimeout(check, RAMP_CHECK_MS).unref()
  }
  const firstLane = lane()
  if (lanes > 1 && enough === Infinity) startOthers('')
  else if (lanes > 1) rampTimer = setTimeout(check, RAMP_CHECK_MS).unref()

  try {
    await firstLane
    cancelCheck()
    await Promise.all(others)
    first?.body.destroy()
    if (options.signal.aborted) throw cancellationOf(options.signal)
    if (failure) throw failure.error
    const sha256 = await hasher.digest()
    deps.log.debug(
      `${label}: ${hasher.readBack} bytes hashed from the file, the rest as they landed`
    )
    return sha256
  } finally {
    cancelCheck()
    first?.body.destroy()
    options.signal.removeEventListener('abort', onAbort)
    await file.close()
  }
}

async function writeAt(
  file: FileHandle,
  filePath: string,
  chunk: Buffer,
  position: number
): Promise<void> {
  try {
    for (let offset = 0; offset < chunk.length;) {
      const { bytesWritten } = await file.write(
        chunk,
        offset,
        chunk.length - offset,
        position + offset
      )
      offset += bytesWritten
    }
  } catch (error) {
    throw new FileWriteError(filePath, error)
  }
}
