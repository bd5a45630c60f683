export interface BackoffPolicy {
  /** Ceiling of the first wait. */
  baseMs: number
  /** Ceiling of any wait. */
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 }

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, base * 2^attempt)).
 * `attempt` counts from 0 for the first retry; `random` is injected for tests.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/**
 * Reads `Retry-After` as delta-seconds or an HTTP date, in ms from `nowMs`.
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined
  return Math.max(0, date - nowMs)
}

/** The wait before the next try: the server's word when it gave one, else the backoff. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy,
  random: () => number
): number {
  return retryAfterMs ?? backoffDelay(attempt, policy, random)
}
