/** Words for failure messages: raw bytes quoted safely, counts, and errors of any kind. */

/** Bytes as a double-quoted string that is safe to print: ASCII as is, anything else escaped. */
export function quoteBytes(bytes: Buffer): string {
  let out = ''
  for (const byte of bytes) {
    if (byte === 0x0a) out += '\\n'
    else if (byte === 0x0d) out += '\\r'
    else if (byte === 0x09) out += '\\t'
    else if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte)
    else out += `\\x${byte.toString(16).padStart(2, '0')}`
  }
  return `"${out}"`
}

/** Up to 80 characters of header text read as latin1, quoted like bytes. */
export const quoteText = (text: string): string =>
  quoteBytes(Buffer.from(text.slice(0, 80), 'latin1'))

export const plural = (count: number, noun: string): string =>
  `${count} ${noun}${count === 1 ? '' : 's'}`
