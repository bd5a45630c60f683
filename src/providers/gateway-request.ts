/**
 * One request to the Aholo gateway (World and Lux3D share it: same key, same hosts), retried under
 * the one retry policy until the call's deadline. The answer's status, text and `Retry-After` go to
 * the API's own `interpret`, which returns what the answer means or throws: a Fault to try again,
 * anything else to stop.
 */
import { exchange as exchangeText, type RawAnswer } from '../net/exchange.js'
import { type Fault, type RetryPolicy, withRetries } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import type { PollCall } from './provider.js'

export type { RawAnswer }

/** The Aholo gateway's hosts by region: World's and Lux3D's paths live under both. */
export const GATEWAY_ORIGINS = {
  cn: 'https://api.aholo3d.cn',
  global: 'https://api.aholo3d.com'
} as const

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
 * One request to the gateway and its answer, not retried: for callers that must decide what a
 * failure means before trying again (a creation whose fate is unknown).
 */
export function exchange(
  options: Pick<GatewayOptions, 'apiKey' | 'clock' | 'log' | 'requestTimeoutMs'>,
  { method, url, body, headers }: GatewayRequest,
  deadline: number,
  signal: AbortSignal
): Promise<RawAnswer> {
  return exchangeText(
    {
      method,
      url: new URL(url),
      headers: {
        Authorization: options.apiKey,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: options.requestTimeoutMs
    },
    { ...options, deadline, signal, maxBytes: MAX_RESPONSE_BYTES }
  )
}

/** `{prefix}` under the region's origin, or under `apiUrl` with a path of its own kept. */
export function gatewayBase(origin: string, prefix: string, apiUrl: URL | undefined): string {
  const root = apiUrl ? `${apiUrl.origin}${apiUrl.pathname.replace(/\/+$/, '')}` : origin
  return `${root}${prefix}`
}
