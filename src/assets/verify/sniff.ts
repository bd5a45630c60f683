import type { SplatFormat } from '../../domain/formats.js'
import { fail } from './result.js'
import { isRecord } from '../../domain/json.js'
import { quoteBytes } from './text.js'

/**
 * Tells the formats apart by their first bytes, and names what a server sent instead of an asset
 * (an HTML error page, an XML or JSON error body) so the user reads the cause, not "bad magic".
 */

/** How many leading bytes `expectFormat` needs to see. */
export const SNIFF_BYTES = 4096

export const startsWith = (bytes: Buffer, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte)

const ascii = (text: string): number[] => [...text].map(char => char.charCodeAt(0))

const PLY_MAGIC = ascii('ply\n')
const PLY_MAGIC_CRLF = ascii('ply\r\n')
const GZIP_MAGIC = [0x1f, 0x8b]
/** Starts an SPZ header: a v4 file as is, v1-v3 once inflated. */
export const SPZ_MAGIC = ascii('NGSP')
const ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04]

const LABEL: Record<SplatFormat, string> = { ply: 'PLY', spz: 'SPZ', sog: 'SOG' }

/** Fails unless `head`, the first bytes of a file of `size` bytes, starts the `expected` format. */
export function expectFormat(head: Buffer, size: number, expected: SplatFormat): void {
  if (size === 0) fail('empty file (0 bytes)')
  const actual = sniffFormat(head)
  if (actual === undefined) {
    fail(describeNonAsset(head, size) ?? describeUnknown(head, expected))
  }
  if (actual !== expected) {
    fail(`the bytes say ${LABEL[actual]} but the file name says .${expected}`)
  }
}

function sniffFormat(head: Buffer): SplatFormat | undefined {
  if (startsWith(head, PLY_MAGIC) || startsWith(head, PLY_MAGIC_CRLF)) return 'ply'
  if (startsWith(head, GZIP_MAGIC) || startsWith(head, SPZ_MAGIC)) return 'spz'
  if (startsWith(head, ZIP_LOCAL_MAGIC)) return 'sog'
  return undefined
}

/**
 * Fails for a file that does not start as `label` (`GLB`, `STL`) should: names what a server sent
 * instead, or shows the first bytes. `detail` says what the format starts with.
 */
export function notTheFormat(head: Buffer, size: number, label: string, detail: string): never {
  if (size === 0) fail('empty file (0 bytes)')
  const noun = `${article(label)} ${label} file`
  fail(describeNonAsset(head, size, noun) ?? `not ${noun} (${detail}): ${showBytes(head)}`)
}

/** `an FBX`, `an STL`, `a GLB`, `a USDZ`: letters whose names start with a vowel take `an`. */
export function article(label: string): string {
  return /^[AEFHILMNORSX][A-Z0-9]*\b/.test(label) ? 'an' : 'a'
}

/** Names what a web server or API sent instead of an asset, or undefined if it is none of those. */
function describeNonAsset(head: Buffer, size: number, noun = 'a splat file'): string | undefined {
  let start = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0 // a UTF-8 byte order mark
  while (start < head.length && isSpace(head[start])) start++
  const text = head.toString('utf8', start)
  const lower = text.slice(0, 256).toLowerCase()
  const shown = quoteBytes(head.subarray(start, start + 40))

  if (
    lower.startsWith('<!doctype html') ||
    lower.startsWith('<html') ||
    /^<\?xml[^>]*>\s*(<!doctype html|<html)/.test(lower)
  ) {
    const title = /<title[^>]*>([^<]{1,120})/i.exec(text)?.[1]?.trim()
    const titled = title ? `; title "${collapse(title)}"` : ''
    return `an HTML page, not ${noun} (starts with ${shown}${titled})`
  }
  if (lower.startsWith('<')) {
    const code = /<code>([^<]{1,80})<\/code>/i.exec(text)?.[1]
    const message = /<message>([^<]{1,160})<\/message>/i.exec(text)?.[1]
    const details = code
      ? `; code "${collapse(code)}"${message ? `, message "${collapse(message)}"` : ''}`
      : ''
    return `an XML document, not ${noun} (starts with ${shown}${details})`
  }
  if (lower.startsWith('{') || lower.startsWith('[')) {
    return describeJson(text, head.length >= size, shown, noun)
  }
  return undefined
}

/** `complete`: `text` is the whole body, so it can be parsed rather than only pattern-matched. */
function describeJson(text: string, complete: boolean, shown: string, noun: string): string {
  let body: unknown
  if (complete) {
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
  }
  if (isRecord(body) && 'c' in body) {
    const message =
      body.m === null || body.m === undefined ? '' : `, m "${collapse(String(body.m))}"`
    return `a JSON API response, not ${noun} (c "${collapse(String(body.c))}"${message})`
  }
  if (isRecord(body) && 'means' in body && 'quats' in body) {
    return 'a SOG meta.json on its own, not a bundled .sog file (its images are separate files)'
  }
  const code = /^\{\s*"c"\s*:\s*"([^"]{0,40})"/.exec(text)?.[1]
  if (code !== undefined) return `a JSON API response, not ${noun} (c "${collapse(code)}")`
  return `a JSON document, not ${noun} (starts with ${shown})`
}

function describeUnknown(head: Buffer, expected: SplatFormat): string {
  return `not a ${LABEL[expected]} file or any splat format: ${showBytes(head)}`
}

function showBytes(head: Buffer): string {
  const sample = head.subarray(0, 24)
  const looksLikeText = sample.every(byte => isSpace(byte) || byte >= 0x20)
  return looksLikeText
    ? `the bytes are text, starting with ${quoteBytes(sample)}`
    : `its first bytes are ${[...sample.subarray(0, 16)].map(byte => byte.toString(16).padStart(2, '0')).join(' ')}`
}

const isSpace = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)

/** One line of printable text, for quoting what a server said. */
const collapse = (text: string): string =>
  [...text]
    .map(char => (char < ' ' || char === '\u007f' ? ' ' : char))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160)
