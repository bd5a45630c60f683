/**
 * Lux3D sends `taskId` as a JSON number, an int64: beyond 2^53 JSON.parse would round it (a
 * 19-digit id keeps about 16 of its digits). Node 20's JSON.parse has no access to a number's
 * source text, so the raw text is rewritten first: every whole number under the key `taskId`
 * becomes a string of the same digits, and is then parsed as one. The scan follows JSON's strings,
 * escapes included, so the key is only matched where it is a key, never inside a text. Pure.
 */

const WHOLE_NUMBER = /-?\d+(?![.eE\d])/y

/**
 * JSON.parse, with the whole numbers of `keys` (at any depth) kept as their exact digits: `taskId`
 * in answers about tasks, and `d` too in the answer to a creation, which is the new id itself.
 */
export function parseWithExactIds(text: string, keys: readonly string[] = ['taskId']): unknown {
  return JSON.parse(quoteNumbersOf(text, keys))
}

/** A task id as the exact decimal string, from a number or a string; undefined otherwise. */
export function exactId(value: unknown): string | undefined {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return undefined
}

export function quoteNumbersOf(text: string, keys: readonly string[]): string {
  const parts: string[] = []
  let copied = 0
  let at = text.indexOf('"')
  while (at !== -1) {
    const end = endOfString(text, at)
    if (end === -1) break
    const value = valueAfterKey(text, end + 1)
    if (value !== -1 && keys.includes(text.slice(at + 1, end))) {
      WHOLE_NUMBER.lastIndex = value
      const number = WHOLE_NUMBER.exec(text)
      if (number) {
        parts.push(text.slice(copied, value), `"${number[0]}"`)
        copied = value + number[0].length
      }
    }
    at = text.indexOf('"', end + 1)
  }
  parts.push(text.slice(copied))
  return parts.join('')
}

/** The index of the quote that closes the string opened at `start`, or -1. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return -1
}

/** Where the value starts when a ':' follows `from` (the string was a key), else -1. */
function valueAfterKey(text: string, from: number): number {
  let i = skipSpace(text, from)
  if (text[i] !== ':') return -1
  i = skipSpace(text, i + 1)
  return i
}

function skipSpace(text: string, from: number): number {
  let i = from
  while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  return i
}
