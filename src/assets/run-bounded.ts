/** Bounded parallelism for downloads: a fixed list at once, or jobs queued as they come. */
import { cancellationOf } from '../errors.js'

export const DEFAULT_CONCURRENCY = 4

/**
 * Runs `worker` over `items` with at most `concurrency` at once. After the first failure (or
 * cancellation) no new item starts; the running ones are awaited, then the first error is thrown.
 * Results come in input order.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<R>,
  signal?: AbortSignal
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const lane = async (): Promise<void> => {
    while (!failure && next < items.length) {
      if (signal?.aborted) {
        failure = { error: cancellationOf(signal) }
        return
      }
      const index = next++
      try {
        results[index] = await worker(items[index])
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  const lanes = Math.max(1, Math.min(Math.floor(concurrency), items.length))
  await Promise.all(Array.from({ length: lanes }, lane))
  if (failure) throw failure.error
  return results
}

export interface Limiter {
  /**
   * Runs `job` once fewer than `concurrency` jobs run. A job still queued when the signal aborts
   * never starts: it rejects at once with the signal's reason.
   */
  run<T>(job: () => Promise<T>): Promise<T>
  /**
   * Takes up to `wanted` lanes free now, without waiting (a file's extra connections), until
   * `release`; `granted` may be 0.
   */
  borrow(wanted: number): { granted: number; release(): void }
}

interface Queued {
  start(): void
  cancel(error: Error): void
}

/** A queue with `concurrency` lanes, for jobs that arrive over time (one per file). */
export function createLimiter(concurrency: number, signal?: AbortSignal): Limiter {
  const lanes = Math.max(1, Math.floor(concurrency))
  const queue: Queued[] = []
  let active = 0
  const next = (): void => {
    while (active < lanes && queue.length > 0) {
      const item = queue.shift() as Queued
      if (signal?.aborted) item.cancel(cancellationOf(signal))
      else item.start()
    }
  }
  signal?.addEventListener(
    'abort',
    () => queue.splice(0).forEach(item => item.cancel(cancellationOf(signal))),
    { once: true }
  )
  return {
    run<T>(job: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({
          start() {
            active++
            Promise.resolve()
              .then(job)
              .then(resolve, reject)
              .finally(() => {
                active--
                next()
              })
          },
          cancel: reject
        })
        next()
      })
    },
    borrow(wanted) {
      const granted = queue.length > 0 ? 0 : Math.max(0, Math.min(wanted, lanes - active))
      active += granted
      let released = false
      return {
        granted,
        release() {
          if (released) return
          released = true
          active -= granted
          next()
        }
      }
    }
  }
}
