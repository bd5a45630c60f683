import { cancellationOf } from '../errors.js'

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
