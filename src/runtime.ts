/**
 * What the action takes from the world besides its inputs: one clock and one cancellation for
 * every module that waits or calls out. Tests hand in a fake clock; production, the real one.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { CancelledError, cancellationOf } from './errors.js'

/** The longest delay a Node timer holds; longer ones fire at once (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1

export interface Clock {
  /** Monotonic milliseconds, for deadlines and durations (any origin). */
  now(): number
  /** Unix milliseconds, for signatures, HTTP dates and timestamps shown to people. */
  wallClock(): number
  /** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Uniform in [0, 1), for backoff jitter. */
  random(): number
  /** Calls `callback` after `ms` without keeping the process alive; returns its cancel. */
  setTimer(callback: () => void, ms: number): () => void
}

/** What the action tells the person reading the step's log. */
export interface Log {
  debug(message: string): void
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
  startGroup(title: string): void
  endGroup(): void
}

export interface Runtime {
  clock: Clock
  /** Aborts when the runner cancels the job (SIGINT, then SIGTERM). */
  signal: AbortSignal
  env: NodeJS.ProcessEnv
}

/**
 * The runtime of this process: the real clock, its environment, and a cancellation that the
 * runner's signals trigger. The runner cancels a job with SIGINT, then SIGTERM 7.5 s later: the
 * first one stops the work so that outputs and the summary are still written; a second one
 * ends the process.
 */
export function processRuntime(): Runtime {
  const cancellation = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (cancellation.signal.aborted) process.exit(130)
      cancellation.abort(new CancelledError(`Cancelled: received ${signal}`))
    })
  }
  return { clock: realClock, signal: cancellation.signal, env: process.env }
}

/** A delay a timer can hold: never negative, never past MAX_TIMER_MS, whole milliseconds. */
export function timerDelay(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_TIMER_MS : 0
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)))
}

export const realClock: Clock = {
  now: () => performance.now(),
  wallClock: Date.now,
  random: Math.random,
  async sleep(ms, signal) {
    if (signal?.aborted) throw cancellationOf(signal)
    try {
      await delay(timerDelay(ms), undefined, { signal })
    } catch (error) {
      if (signal?.aborted) throw cancellationOf(signal)
      throw error
    }
  },
  setTimer(callback, ms) {
    const timer = setTimeout(callback, timerDelay(ms))
    timer.unref()
    return () => clearTimeout(timer)
  }
}

/**
 * A signal that aborts with `parent` (with its reason), or when `ms` have passed on the real
 * timers (with `onTimeout()`), whichever comes first; no time limit when `ms` is undefined.
 * `release` frees the timer and the listener (thousands of unreleased AbortSignal.any/timeout
 * pairs would each live until their timer fires, and fill the heap).
 */
export function boundedSignal(
  parent: AbortSignal | undefined,
  ms: number | undefined,
  onTimeout: () => Error
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController()
  const onAbort = (): void => controller.abort(cancellationOf(parent))
  if (parent?.aborted) onAbort()
  else parent?.addEventListener('abort', onAbort, { once: true })
  const timer =
    ms === undefined ? undefined : setTimeout(() => controller.abort(onTimeout()), timerDelay(ms))
  timer?.unref()
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer)
      parent?.removeEventListener('abort', onAbort)
    }
  }
}

/**
 * `work`'s result, or the signal's reason as soon as it aborts, for work that takes no signal.
 * The work itself goes on unobserved: use it only where abandoning it is harmless (a read-only
 * check) or cannot be helped (a client without cancellation). Its late failure is dropped, not
 * left unhandled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined)
  if (signal.aborted) return Promise.reject(cancellationOf(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancellationOf(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
