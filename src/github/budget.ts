/**
 * Time limits of the check run's own, on the real timers rather than the run's Clock: they bound
 * waits on a real network, and must hold even when a test drives the run with a fake clock.
 * Every timer is unref'd, so none keeps a finished step's process alive.
 */
import { formatDuration } from '../units.js'
import { Fault, type RetryContext, type RetryPolicy, withRetries } from '../net/retry.js'
import { boundedSignal, type Clock, timerDelay } from '../runtime.js'

export interface Budget {
  /** Aborts, with a `Fault` saying how long it waited, when the budget is spent. */
  signal: AbortSignal
  /** Milliseconds left. */
  remaining(): number
  /** Frees the timer and the listener. */
  release(): void
}

/**
 * `normalMs` from now, cut to `cancelMs` from the cancel once `cancelled` aborts (at once if
 * it already has): after a cancel the runner allows little time before it kills the step.
 */
export function completionBudget(
  cancelled: AbortSignal,
  normalMs: number,
  cancelMs: number
): Budget {
  const controller = new AbortController()
  let endsAt = performance.now() + (cancelled.aborted ? cancelMs : normalMs)
  let timer: NodeJS.Timeout | undefined
  const arm = (reason: Fault): void => {
    clearTimeout(timer)
    timer = setTimeout(() => controller.abort(reason), timerDelay(endsAt - performance.now()))
    timer.unref()
  }
  const onCancel = (): void => {
    if (performance.now() + cancelMs >= endsAt) return
    endsAt = performance.now() + cancelMs
    arm(new Fault(`no answer within ${formatDuration(cancelMs)} of the cancel`, 'timeout'))
  }
  if (cancelled.aborted) {
    arm(new Fault(`no answer within ${formatDuration(cancelMs)} of the cancel`, 'timeout'))
  } else {
    arm(new Fault(`no answer within ${formatDuration(normalMs)}`, 'timeout'))
    cancelled.addEventListener('abort', onCancel, { once: true })
  }
  return {
    signal: controller.signal,
    remaining: () => Math.max(0, endsAt - performance.now()),
    release() {
      clearTimeout(timer)
      cancelled.removeEventListener('abort', onCancel)
    }
  }
}

/** Resolves when `promise` settles, `ms` have passed or `signal` aborts; never rejects. */
export function settleWithin(
  promise: Promise<unknown>,
  ms: number,
  signal: AbortSignal
): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, timerDelay(ms))
    timer.unref()
    signal.addEventListener('abort', done, { once: true })
    promise.then(done, done)
  })
}

export interface LimitedCallOptions {
  clock: Clock
  /** Abandons the call, tries and waits alike. */
  signal: AbortSignal
  /** Limit of each try. */
  callMs: number
  policy: RetryPolicy
  onRetry?: RetryContext['onRetry']
}

/** Runs `send` under a time limit per try (a `Fault` when it passes), retried on a Fault. */
export function limitedCall<T>(
  send: (signal: AbortSignal) => Promise<T>,
  options: LimitedCallOptions
): Promise<T> {
  const { callMs } = options
  return withRetries(
    async () => {
      const limit = boundedSignal(
        options.signal,
        callMs,
        () => new Fault(`no answer within ${formatDuration(callMs)}`, 'timeout')
      )
      try {
        return await send(limit.signal)
      } finally {
        limit.release()
      }
    },
    {
      clock: options.clock,
      signal: options.signal,
      policy: options.policy,
      ...(options.onRetry ? { onRetry: options.onRetry } : {})
    }
  )
}
