/** The run was cancelled; no retry, no further request. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message)
    this.name = 'CancelledError'
  }
}

/** Why an aborted signal stopped the work: its reason when that is an Error, else cancellation. */
export function cancellationOf(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new CancelledError()
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  // Not `instanceof Error`: errors from Node's internals may come from another realm (as under jest).
  const message =
    typeof error === 'object' && error !== null
      ? (error as { message?: unknown }).message
      : undefined
  return typeof message === 'string' ? message : String(error)
}
