/**
 * One base error for what the action reports to the user: a message, and a hint saying what to
 * do about it. Anything else thrown is reported by its message alone.
 */
export class ActionError extends Error {
  constructor(
    message: string,
    /** What the user can do about it; shown after the message. */
    readonly hint?: string,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The run was cancelled; no retry, no further request. */
export class CancelledError extends ActionError {
  constructor(message = 'cancelled') {
    super(message)
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

/**
 * Whether the API refused the step's credentials or access (a wrong key, a bad signature, a
 * 403): a setup failure, which says nothing about the tasks. Errors that mean it carry
 * `refusedCredentials: true`.
 */
export function refusedCredentials(error: unknown): boolean {
  return (error as { refusedCredentials?: unknown } | undefined)?.refusedCredentials === true
}

/** One line a user can act on, for any thrown value: the message, then the hint if any. */
export function describeError(error: unknown): string {
  const message = errorMessage(error) || (error instanceof Error ? error.name : 'unknown error')
  return error instanceof ActionError && error.hint ? `${sentence(message)} ${error.hint}` : message
}

/**
 * The text as a sentence: a full stop added unless it ends in one already. Messages end with
 * what others said (a server, Node), which may or may not end in a full stop.
 */
export function sentence(text: string): string {
  const trimmed = text.trimEnd()
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
