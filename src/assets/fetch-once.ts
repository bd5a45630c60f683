/**
 * One try of a download: the GET (http-get.ts), then the body piped into a hashing file sink,
 * with progress lines and the size checked against Content-Length. A failure another try may
 * mend is a `Fault`; the caller removes the temporary file.
 */
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { cancellationOf, errorMessage } from '../errors.js'
import { Fault } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { formatBytes, formatRate } from '../units.js'
import { FileSink, FileWriteError } from './file-sink.js'
import { contentLength, getAsset, shownRedirect } from './http-get.js'

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
}

export interface AttemptDeps {
  clock: Clock
  log: Pick<Log, 'info' | 'debug'>
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
  options: AttemptOptions,
  deps: AttemptDeps
): Promise<Fetched> {
  const { signal, idleTimeoutMs } = options
  const { clock, log } = deps
  const began = clock.now()
  const response = await getAsset(url, {
    signal,
    idleTimeoutMs,
    // A backstop a second past the time limit, whose own signal ends the exchange first.
    timeoutMs: Math.max(1, options.limitEnds - performance.now()) + 1000,
    allowInsecureHosts: options.allowInsecureHosts,
    wallClock: clock.wallClock,
    onRedirect: (status, next) => log.debug(`${label}: ${shownRedirect(status, next)}`)
  })
  const body: Readable = response.body
  const expected = contentLength(response.headers)
  const sink = new FileSink(tempPath)

  // src/net/http.ts ends a silent socket after idleTimeoutMs; the body then only sees an abort.
  const socket = (body as Partial<IncomingMessage>).socket ?? undefined
  let silent = false
  const onSilence = (): void => {
    silent = true
  }
  socket?.on('timeout', onSilence)
  const every = options.progressEveryMs
  let received = 0
  let reported = began
  let nextCheck = PROGRESS_CHECK_BYTES
  // Piped first, so that the counting listener below cannot start the flow before the sink is on.
  const piped = pipeline(body, sink, { signal })
  body.on('data', (chunk: Buffer) => {
    received += chunk.length
    // The clock is read once per MiB, not per 64 KiB chunk.
    if (received < nextCheck) return
    nextCheck = received + PROGRESS_CHECK_BYTES
    const now = clock.now()
    if (now - reported < every) return
    reported = now
    const share = expected
      ? ` of ${formatBytes(expected)} (${Math.floor((received / expected) * 100)}%)`
      : ''
    log.info(`${label}: ${formatBytes(received)}${share}, ${formatRate(received, now - began)}`)
  })

  try {
    await piped
  } catch (error) {
    if (signal.aborted) throw cancellationOf(signal)
    if (error instanceof FileWriteError) throw error
    const cause = silent ? `no data for ${idleTimeoutMs} ms` : errorMessage(error)
    const progress = expected !== undefined ? ` after ${received} of ${expected} bytes` : ''
    throw connectionFault(`the connection failed${progress} (${cause})`, error)
  } finally {
    socket?.removeListener('timeout', onSilence)
    // The sink closes its file once its writes have settled; only then may the file go.
    if (!sink.closed) await new Promise(resolve => sink.once('close', resolve))
  }
  const { bytes, sha256 } = sink.result as { bytes: number; sha256: string }
  if (expected !== undefined && bytes !== expected) {
    throw connectionFault(`the body ended after ${bytes} of ${expected} bytes`)
  }
  return { bytes, sha256, ms: clock.now() - began }
}

function connectionFault(message: string, cause?: unknown): Fault {
  return new Fault(message, 'download connection', undefined, { cause })
}
