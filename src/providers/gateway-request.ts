/**
 * One request to the Aholo gateway (World and Lux3D share it: same key, same hosts), retried under
 * the one retry policy until the call's deadline. The answer's status, text and `Retry-After` go to
 * the API's own `interpret`, which returns what the answer means or throws: a Fault to try again,
 * anything else to stop.
 */
import { NetworkError, readText, sendRequest, USER_AGENT } from '../net/http.js'
import {
  DeadlineError,
  type Fault,
  parseRetryAfter,
  type RetryPolicy,
  withRetries
} from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import type { PollCall } from './provider.js'

/** The Aholo gateway's hosts by region: World's and Lux3D's paths live under both. */
export const GATEWAY_ORIGINS = {
  cn: 'https://api.aholo3d.cn',
  global: 'https://api.aholo3d.com'
} as const

export interface RawAnswer {
  status: number
  body: string
  retryAfterMs?: number
}

export interface GatewayRequest {
  method: 'GET' | 'POST'
  url: string
  /** Sent as JSON; absent for none. */
  body?: unknown
  /** Beside the key, `Accept` and `User-Agent` (the create calls' `x-source`). */
  headers?: Record<string, string>
}

export interface GatewayOptions {
  /**
   * Sent as it is in `Authorization`; never logged. What the gateway says is read as it came: the
   * step's sinks take the key out of whatever is shown (report/redact.ts), and scrubbing it here,
   * before parsing, would turn a status that happens to equal the key into nonsense.
   */
  apiKey: string
  clock: Clock
  log: Pick<Log, 'debug' | 'warning'>
  /** Limit of one request, within the deadline. */
  requestTimeoutMs: number
  /** Before each wait caused by a fault. */
  onRetry?: (fault: Fault, nextAttempt: number, delayMs: number) => void
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024

/** The request, retried under `policy` (the API policy by default) until the call's deadline. */
export function askGateway<T>(
  request: GatewayRequest,
  options: GatewayOptions,
  call: PollCall,
  signal: AbortSignal,
  interpret: (answer: RawAnswer) => T,
  policy?: RetryPolicy
): Promise<T> {
  return withRetries(
    async () => interpret(await exchange(options, request, call.deadline, signal)),
    { clock: options.clock, signal, deadline: call.deadline, onRetry: options.onRetry, policy }
  )
}

/**
 * One request and its answer, read whole, not retried: for callers that must decide what a
 * failure means before trying again (a creation whose fate is unknown).
 */
export async function exchange(
  options: Pick<GatewayOptions, 'apiKey' | 'clock' | 'log' | 'requestTimeoutMs'>,
  { method, url, body, headers }: GatewayRequest,
  deadline: number,
  signal: AbortSignal
): Promise<RawAnswer> {
  const { clock, log, requestTimeoutMs, apiKey } = options
  const timeoutMs = Math.max(1, Math.min(requestTimeoutMs, deadline - clock.now()))
  const started = clock.now()
  log.debug(`${method} ${url}, time limit ${timeoutMs} ms`)
  try {
    const response = await sendRequest({
      method,
      url: new URL(url),
      headers: {
        Authorization: apiKey,
        Accept: 'application/json',
        'User-Agent': USER_AGENT,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      timeoutMs
    })
    const retryAfter = response.headers['retry-after']
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      clock.wallClock()
    )
    const text = await readText(response, MAX_RESPONSE_BYTES, signal)
    log.debug(
      `HTTP ${response.status} after ${Math.round(clock.now() - started)} ms, ${text.length} characters`
    )
    return { status: response.status, body: text, retryAfterMs }
  } catch (error) {
    // Cut short by the deadline, not by the service: time is up, and nobody is to blame.
    if (error instanceof NetworkError && clock.now() >= deadline) throw new DeadlineError()
    throw error
  }
}

/** `{prefix}` under the region's origin, or under `apiUrl` with a path of its own kept. */
export function gatewayBase(origin: string, prefix: string, apiUrl: URL | undefined): string {
  const root = apiUrl ? `${apiUrl.origin}${apiUrl.pathname.replace(/\/+$/, '')}` : origin
  return `${root}${prefix}`
}
