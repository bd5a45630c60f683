/** A parsed JSON value that is an object (not null, not an array): the shape every answer is read as. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The longest text kept from one field of an answer (a name, a status, an error message). A
 * server can send megabytes in a field it controls; kept whole, a few such tasks would burst
 * the outputs and the memory of the step, so every field is cut where it is read.
 */
export const MAX_TEXT_FIELD_CHARS = 4096
/** The longest URL kept: presigned links run to a few KB; a longer one is cut like text. */
export const MAX_URL_FIELD_CHARS = 16384

/** A non-empty string, cut to `maxChars` (ending in `…` when cut); otherwise undefined. */
export function textField(value: unknown, maxChars = MAX_TEXT_FIELD_CHARS): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  return value.length <= maxChars ? value : `${value.slice(0, maxChars - 1)}…`
}

/** A URL field: as textField, with the room a presigned link needs. */
export function urlField(value: unknown): string | undefined {
  return textField(value, MAX_URL_FIELD_CHARS)
}

/** A 0-1 fraction (a progress): a finite number clamped into 0-1; otherwise undefined. */
export function fractionField(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  return Math.min(1, Math.max(0, value))
}
