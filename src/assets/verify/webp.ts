import { fail } from './result.js'
import { startsWith } from './sniff.js'
import { quoteBytes, quoteText } from './text.js'

/** How many leading bytes of an image `readWebpHeader` needs for any of the three WebP forms. */
export const WEBP_HEADER_BYTES = 30

export interface WebpHeader {
  /** The RIFF size field + 8: the whole file's length. */
  riffBytes: number
  width: number
  height: number
}

/** Reads the size and dimensions from the first bytes of the WebP image `name`. */
export function readWebpHeader(bytes: Buffer, name: string): WebpHeader {
  if (
    bytes.length < 16 ||
    bytes.toString('latin1', 0, 4) !== 'RIFF' ||
    bytes.toString('latin1', 8, 12) !== 'WEBP'
  ) {
    fail(`"${name}" is not a WebP image (starts with ${quoteBytes(bytes.subarray(0, 16))})`)
  }
  const riffBytes = bytes.readUInt32LE(4) + 8
  const chunk = bytes.toString('latin1', 12, 16)
  const short = (needed: number): void => {
    if (bytes.length < needed) fail(`"${name}" is cut off inside its WebP header`)
  }
  if (chunk === 'VP8L') {
    short(25)
    if (bytes[20] !== 0x2f) fail(`"${name}" has a damaged lossless WebP header`)
    const bits = bytes.readUInt32LE(21)
    return { riffBytes, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (chunk === 'VP8X') {
    short(30)
    return { riffBytes, width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 }
  }
  if (chunk === 'VP8 ') {
    short(30)
    if (!startsWith(bytes.subarray(23), [0x9d, 0x01, 0x2a])) {
      fail(`"${name}" has a damaged lossy WebP header`)
    }
    return {
      riffBytes,
      width: bytes.readUInt16LE(26) & 0x3fff,
      height: bytes.readUInt16LE(28) & 0x3fff
    }
  }
  fail(`"${name}" is a WebP image with an unknown first chunk ${quoteText(chunk)}`)
}
