/**
 * One request and its whole (small) answer as text, for the APIs: the gateway's World and Lux3D
 * calls and the upload service's. Its `Retry-After` is read, and a request cut short by the
 * deadline is the deadline's fault (DeadlineError), not the service's. Not retried here: each
 * caller decides what an answer means and whether another try is safe.
 */
import type { Clock, Log } from '../runtime.js'
import { type HttpRequest, NetworkError, readText, sendRequest, USER_AGENT } from './http.js'
import { DeadlineError, parseRetryAfter } from './retry.js'

export interface RawAnswer {
  status: number
  body: string
  retryAfterMs?: number
}

export interface ExchangeContext {
  clock: Clock
  log: Pick<Log, 'debug'>
  /** On `clock.now()`: the end of the call, retries included. */
  deadline: number
  signal: AbortSignal
  /** The most of the answer's body read; more is an error. */
  maxBytes: number
}

/** `request.timeoutMs` is cut to what is left before the deadline; `User-Agent` is added. */
export async function exchange(
  request: Omit<HttpRequest, 'signal'>,
  context: ExchangeContext
): Promise<RawAnswer> {
  const { clock, log, deadline, signal } = context
  const left = Math.max(1, deadline - clock.now())
  const timeoutMs = Math.min(request.timeoutMs ?? left, left)
  const started = clock.now()
  // The path only: a query string may carry a signature (the open platform's `sign`).
  log.debug(
    `${request.method} ${request.url.origin}${request.url.pathname}, time limit ${Math.round(timeoutMs)} ms`
  )
  try {
    const response = await sendRequest({
      ...request,
      headers: { 'User-Agent': USER_AGENT, ...request.headers },
      signal,
      timeoutMs
    })
    const retryAfter = response.headers['retry-after']
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      clock.wallClock()
    )
    const body = await readText(response, context.maxBytes, signal)
    log.debug(
      `HTTP ${response.status} after ${Math.round(clock.now() - started)} ms, ${body.length} characters`
    )
    return { status: response.status, body, retryAfterMs }
  } catch (error) {
    // Cut short by the deadline, not by the service: time is up, and nobody is to blame.
    if (error instanceof NetworkError && clock.now() >= deadline) throw new DeadlineError()
    throw error
  }
}
