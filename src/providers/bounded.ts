import { setMaxListeners } from 'node:events'
/**
 * Runs `task` over `items`, at most `limit` at once, results in input order. The first failure
 * aborts the tasks still running (through the signal each one is given) and is what is thrown:
 * a world the key may not see must not wait for a hundred other GETs to finish their retries.
 */
/** Listeners one task may hold on its signal at once, with room to spare. */
const LISTENERS_PER_TASK = 4

export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  task: (item: T, signal: AbortSignal) => Promise<R>
): Promise<R[]> {
  const controller = new AbortController()
  // Each task in flight listens on this one signal at a few places at once (the request, its
  // body, a retry's sleep): past Node's default of 10, it would warn of a leak there is not.
  setMaxListeners(Math.max(10, limit * LISTENERS_PER_TASK), controller.signal)
  const onAbort = (): void => controller.abort(signal.reason)
  if (signal.aborted) onAbort()
  else signal.addEventListener('abort', onAbort, { once: true })
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++
      try {
        results[index] = await task(items[index], controller.signal)
      } catch (error) {
        if (failure === undefined) {
          failure = { error }
          controller.abort(error)
        }
      }
    }
  }
  try {
    const workers = Math.max(1, Math.min(limit, items.length))
    await Promise.all(Array.from({ length: workers }, worker))
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  if (failure !== undefined) throw failure.error
  return results
}
