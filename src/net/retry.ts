/**
 * The one retry policy of every network call: API polls, downloads, the check run, the artifact
 * upload. A `Fault` is a failure that may pass; anything else thrown ends the call at once.
 */
import { formatDuration } from '../units.js'
import { type Clock, MAX_TIMER_MS } from '../runtime.js'
import { ActionError } from '../errors.js'

/** A failure worth another try: a network error, HTTP 5xx, 408, 429, a body that is not JSON. */
export class Fault extends Error {
  constructor(
    message: string,
    /** Groups faults of one kind, so that each kind is reported once. */
    readonly kind: string,
    /** What the server asked for with `Retry-After`, in milliseconds. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = 'Fault'
  }
}

/** The deadline came before the call could succeed; `lastFault` says what kept failing. */
export class DeadlineError extends ActionError {
  constructor(
    readonly lastFault?: Fault,
    /** Why the last wait ran to the deadline, when the server asked for more than was left. */
    readonly note?: string
  ) {
    super(lastFault ? `time ran out while ${lastFault.message}` : 'the deadline passed')
  }
}

export interface RetryPolicy {
  /** No wait between tries is shorter: `Retry-After: 0` must not become a request storm. */
  floorMs: number
  /** Ceiling of the backoff (a server's `Retry-After` may ask for more). */
  ceilingMs: number
  /** Ceiling of a server's `Retry-After` when there is no deadline to bound it. */
  maxRetryAfterMs: number
  /** Tries in all, the first included; unbounded when absent (the deadline bounds them). */
  maxAttempts?: number
}

export const API_RETRY: RetryPolicy = {
  floorMs: 1000,
  ceilingMs: 30_000,
  maxRetryAfterMs: MAX_TIMER_MS
}

export interface RetryContext {
  clock: Clock
  signal?: AbortSignal
  /** On `clock.now()`: no try starts, and no wait lasts, past it. */
  deadline?: number
  policy?: RetryPolicy
  /** Before each wait: the fault, the number of the try to come, and the wait. */
  onRetry?(fault: Fault, nextAttempt: number, delayMs: number): void
}

/**
 * Runs `attempt` until it returns, throws something that is not a Fault, runs out of tries
 * (the last Fault is thrown), or meets the deadline (DeadlineError, after waiting up to it: a
 * `timeout` is kept both ways, never cut short). Cancellation rejects with the signal's reason.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  context: RetryContext
): Promise<T> {
  const { clock, signal, deadline } = context
  const policy = context.policy ?? API_RETRY
  for (let attemptNumber = 1; ; attemptNumber++) {
    if (deadline !== undefined && clock.now() >= deadline) throw new DeadlineError()
    let fault: Fault
    try {
      return await attempt(attemptNumber)
    } catch (error) {
      if (!(error instanceof Fault) || signal?.aborted) throw error
      fault = error
    }
    if (policy.maxAttempts !== undefined && attemptNumber >= policy.maxAttempts) throw fault
    const wanted = retryDelay(attemptNumber - 1, fault.retryAfterMs, policy, clock.random)
    const left = deadline === undefined ? Infinity : deadline - clock.now()
    if (wanted >= left) {
      // Waiting out the rest keeps `timeout` honest: the step ends at the deadline, not before.
      if (left > 0) await clock.sleep(left, signal)
      const note =
        fault.retryAfterMs !== undefined && fault.retryAfterMs > left
          ? `the service asked to retry after ${formatDuration(fault.retryAfterMs)}, beyond the 'timeout'`
          : undefined
      throw new DeadlineError(fault, note)
    }
    context.onRetry?.(fault, attemptNumber + 1, wanted)
    await clock.sleep(wanted, signal)
  }
}

/**
 * The wait before the next try. The server's `Retry-After` when it gave one, else exponential
 * backoff with full jitter; either way within [floor, MAX_TIMER_MS], the backoff under its
 * ceiling and `Retry-After` under maxRetryAfterMs. `attempt` counts from 0 for the first retry.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number
): number {
  const wanted =
    retryAfterMs !== undefined
      ? Math.min(retryAfterMs, policy.maxRetryAfterMs)
      : random() * Math.min(policy.ceilingMs, policy.floorMs * 2 ** Math.min(attempt + 1, 30))
  return Math.floor(Math.min(MAX_TIMER_MS, Math.max(policy.floorMs, wanted)))
}

/**
 * Reads `Retry-After` as delta-seconds or an HTTP date, in ms from `nowMs`.
 * Undefined when absent or unreadable; never negative (a date in the past is 0).
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined
  return Math.max(0, date - nowMs)
}
