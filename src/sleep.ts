import { setTimeout as delay } from 'node:timers/promises'
import { CancelledError } from './http.js'

/** Waits `ms`, or throws CancelledError as soon as `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw cancelled(signal)
  try {
    await delay(Math.max(0, Math.ceil(ms)), undefined, { signal })
  } catch (error) {
    if (signal?.aborted) throw cancelled(signal)
    throw error
  }
}

function cancelled(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError()
}
