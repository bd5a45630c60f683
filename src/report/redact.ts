/**
 * What a server says is shown only after this: its text may echo the request (the sign, the
 * app key, the user id, the API key), or be a whole HTML page. Pure.
 *
 * Two layers: `redactText` removes the values of signed-request parameters from a server's
 * text; a `Redactor` removes every known secret from everything the step shows, in each form an
 * echo may take. The sinks (the log, outputs, the summary, the check run, `results-file`, error
 * messages) each pass one Redactor, made once per run.
 */
import { cutWithNote } from './byte-budget.js'

/** The most of one server's text that a message, the summary or the check run shows. */
export const SERVER_TEXT_CAP_BYTES = 2048

/**
 * A secret shorter than this is refused as an input: scrubbing a short value from every text
 * would garble ordinary words (a key `null` or `ply`), and leaving it would leak it.
 */
export const MIN_SECRET_LENGTH = 6

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

/** The base64 forms are matched only when this much of them is fixed by the secret alone. */
const MIN_BASE64_RUN = 8

/**
 * Removes every known secret from text and values, whichever way it was echoed: as it is,
 * JSON-escaped (`\/`, `\u0061`), URL-encoded (`%2F`, `+`), any mix of those, or in base64
 * (standard or URL-safe, at any offset within a longer base64 run, as in a Basic header).
 */
export class Redactor {
  private readonly patterns: RegExp[]

  constructor(secrets: readonly string[]) {
    const usable = [...new Set(secrets.filter(secret => secret.length > 0))]
    // Longer first: a secret that contains another is removed whole.
    usable.sort((a, b) => b.length - a.length)
    this.patterns = usable.map(secret => {
      const alternatives = [[...secret].map(escapedForms).join('')]
      alternatives.push(...base64Forms(secret).map(escapeRegExp))
      return new RegExp(alternatives.join('|'), 'g')
    })
  }

  /** `text` with every form of every secret replaced by `***`. */
  text(text: string): string {
    let redacted = text
    for (const pattern of this.patterns) redacted = redacted.replace(pattern, '***')
    return redacted
  }

  /**
   * The value with every string in it redacted, structure untouched: for JSON outputs and
   * `results-file`, so that a secret is never substituted into JSON syntax and the JSON always
   * parses. Object keys are the action's own and stay as they are.
   */
  value<T>(value: T): T {
    if (this.patterns.length === 0) return value
    return this.walk(value) as T
  }

  /** JSON of the redacted value. */
  json(value: unknown): string {
    return JSON.stringify(this.value(value))
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value)
    if (Array.isArray(value)) return value.map(item => this.walk(item))
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.walk(item)]))
    }
    return value
  }
}

/** A Redactor that removes nothing: for code paths and tests that hold no secret. */
export const NO_SECRETS = new Redactor([])

/**
 * One character as an echo may show it: itself; JSON-escaped (`\u0061`, `\/`, `\\`, `\"`);
 * URL-encoded (`%61`, `+` for a space); or URL-encoded over a JSON escape (`%5C%2F`). Hex in
 * either case. As a regular expression that matches any one of them, longest first.
 */
function escapedForms(char: string): string {
  const escapes: Record<string, string> = { '/': '\\/', '\\': '\\\\', '"': '\\"' }
  const unicode = char
    .split('')
    .map(unit => `\\u${hex(unit.charCodeAt(0), 4)}`)
    .join('')
  const plain = new Set([char, unicode, unicode.replace(/[A-F]/g, h => h.toLowerCase())])
  if (escapes[char]) plain.add(escapes[char])
  const forms = new Set<string>(plain)
  for (const form of plain) {
    const everyByte = [...Buffer.from(form, 'utf8')].map(byte => `%${hex(byte, 2)}`).join('')
    for (const encoded of [everyByte, encodeURIComponent(form)]) {
      forms.add(encoded)
      forms.add(encoded.replace(/%[0-9A-F]{2}/g, code => code.toLowerCase()))
    }
  }
  if (char === ' ') forms.add('+')
  return `(?:${[...forms]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})`
}

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0')
}

/**
 * The runs of base64 that encode the secret wherever it starts within a longer payload: for
 * each of the three byte offsets, the characters whose six bits all come from the secret.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms = new Set<string>()
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)])
    const encoded = padded.toString('base64')
    const first = Math.ceil((8 * offset) / 6)
    const end = Math.floor((8 * (offset + bytes.length)) / 6)
    const run = encoded.slice(first, end)
    if (run.length < MIN_BASE64_RUN) continue
    forms.add(run)
    forms.add(run.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return [...forms]
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * Removes the values of signed-request parameters: for a server's text, which may echo our own
 * request (asset URLs the service hands out are left alone elsewhere: their signatures are what
 * makes them work).
 */
export function redactText(text: string): string {
  return text.replace(PARAM_PATTERN, '$1***')
}

/** Redacts, then caps at SERVER_TEXT_CAP_BYTES with a note of how much was left out. */
export function serverText(text: string): string {
  return cutWithNote(redactText(text), SERVER_TEXT_CAP_BYTES, " of the server's text")
}
