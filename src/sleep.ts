import { setTimeout as delay } from 'node:timers/promises'
import { cancellationOf } from './errors.js'

/** Waits `ms`, or throws CancelledError as soon as `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw cancellationOf(signal)
  try {
    await delay(Math.max(0, Math.ceil(ms)), undefined, { signal })
  } catch (error) {
    if (signal?.aborted) throw cancellationOf(signal)
    throw error
  }
}
