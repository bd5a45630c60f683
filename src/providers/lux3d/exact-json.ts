/**
 * JSON whose integers may pass 2^53 (Lux3D task ids are int64): every integer literal of more
 * than 15 digits, outside strings, is read as its exact decimal string. Pure.
 */
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y

export function parseExactJson(text: string): unknown {
  let out = ''
  let at = 0
  let inString = false
  while (at < text.length) {
    const char = text[at]
    if (inString) {
      out += char
      if (char === '\\') out += text[++at] ?? ''
      else if (char === '"') inString = false
      at++
      continue
    }
    if (char === '"') {
      inString = true
      out += char
      at++
      continue
    }
    NUMBER.lastIndex = at
    const number = char === '-' || (char >= '0' && char <= '9') ? NUMBER.exec(text) : null
    if (number) {
      const literal = number[0]
      const digits = literal.replace(/^-/, '')
      out += !number[1] && !number[2] && digits.length > 15 ? `"${literal}"` : literal
      at += literal.length
      continue
    }
    out += char
    at++
  }
  return JSON.parse(out)
}

/** A task id as the exact decimal string, from a number or a string; undefined otherwise. */
export function exactId(value: unknown): string | undefined {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return undefined
}
