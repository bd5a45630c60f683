/**
 * What a server says is shown only after this: its text may echo the request (the sign, the
 * app key, the user id), or be a whole HTML page. Pure.
 */
import { cutWithNote } from './byte-budget.js'

/** The most of one server's text that a message, the summary or the check run shows. */
export const SERVER_TEXT_CAP_BYTES = 2048

const SIGNED_PARAMS = [
  'sign',
  'appkey',
  'appuid',
  'timestamp',
  'app_key',
  'app_uid',
  'access_token',
  'token'
]
// name=value (a query string), "name":"value" or "name": value (JSON), name: value (text).
const PARAM_PATTERN = new RegExp(
  `(["']?\\b(?:${SIGNED_PARAMS.join('|')})\\b["']?\\s*[:=]\\s*["']?)([^&"'\\s,;}<>]+)`,
  'gi'
)

/** Removes every known secret: for all that the action shows, signed asset URLs included. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text
  for (const secret of secrets) {
    if (secret) redacted = redacted.split(secret).join('***')
  }
  return redacted
}

/**
 * Also removes the values of signed-request parameters: for a server's text, which may echo
 * our own request (asset URLs the service hands out are left alone elsewhere: their signatures
 * are what makes them work).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  return redactSecrets(text.replace(PARAM_PATTERN, '$1***'), secrets)
}

/** Redacts, then caps at SERVER_TEXT_CAP_BYTES with a note of how much was left out. */
export function serverText(text: string, secrets: readonly string[] = []): string {
  return cutWithNote(redactText(text, secrets), SERVER_TEXT_CAP_BYTES, " of the server's text")
}
