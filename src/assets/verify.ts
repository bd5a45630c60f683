import { open, type FileHandle } from 'node:fs/promises'
import * as zlib from 'node:zlib'
import type { AssetFormat } from '../inputs.js'

/**
 * Checks a downloaded Gaussian-splat file by its content (see FORMATS.md): the bytes must be the
 * format the file is named for, its headers and directories must be consistent, and its size must
 * be exactly what they describe. Only headers, tables and a few bytes of each image are read, so
 * a multi-gigabyte file costs a few small reads.
 */

export interface AssetInfo {
  format: AssetFormat
  /** Splat count read from the file. */
  gaussians: number
  /** `ply-3dgs`, `ply-compressed`, `spz-v1`..`spz-v4`, `sog-v1`, `sog-v2`. */
  version: string
  shDegree: number
}

/** The file is not a usable asset; `reason` says why, in words meant for the user. */
export class AssetVerificationError extends Error {
  readonly reason: string

  constructor(reason: string) {
    super(reason)
    this.name = 'AssetVerificationError'
    this.reason = reason
  }
}

function fail(reason: string): never {
  throw new AssetVerificationError(reason)
}

/** Checks a file on disk by content, reading headers and directories only (never the whole file into memory). */
export async function verifyAsset(filePath: string, expected: AssetFormat): Promise<AssetInfo> {
  let file: FileHandle
  try {
    file = await open(filePath, 'r')
  } catch (error) {
    throw new AssetVerificationError(`cannot open the file: ${describeError(error)}`)
  }
  try {
    const stat = await file.stat()
    if (!stat.isFile()) fail('not a regular file')
    return await verifyContent(new FileRanges(file, stat.size), expected)
  } catch (error) {
    if (error instanceof AssetVerificationError) throw error
    throw new AssetVerificationError(`cannot read the file: ${describeError(error)}`)
  } finally {
    await file.close()
  }
}

function describeError(error: unknown): string {
  // Not `instanceof Error`: errors from Node's internals may come from another realm (as under jest).
  const message = isRecord(error) ? error.message : undefined
  return typeof message === 'string' ? message : String(error)
}

/** Reads byte ranges of an open file whose size is known. */
class FileRanges {
  constructor(
    private readonly file: FileHandle,
    readonly size: number
  ) {}

  /** The bytes at [position, position + length), or fewer where the file ends. */
  async read(position: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - position))
    const buffer = Buffer.alloc(wanted)
    let filled = 0
    while (filled < wanted) {
      const { bytesRead } = await this.file.read(buffer, filled, wanted - filled, position + filled)
      if (bytesRead === 0) break // the file shrank under us; callers see the short buffer
      filled += bytesRead
    }
    return buffer.subarray(0, filled)
  }
}

const LABEL: Record<AssetFormat, string> = { ply: 'PLY', spz: 'SPZ', sog: 'SOG' }
const SNIFF_BYTES = 4096

async function verifyContent(file: FileRanges, expected: AssetFormat): Promise<AssetInfo> {
  if (file.size === 0) fail('empty file (0 bytes)')
  const head = await file.read(0, SNIFF_BYTES)
  const actual = sniffFormat(head)
  if (actual === undefined) {
    fail(describeNonAsset(head, file.size) ?? describeUnknown(head, expected))
  }
  if (actual !== expected) {
    fail(`the bytes say ${LABEL[actual]} but the file name says .${expected}`)
  }
  if (actual === 'ply') return verifyPly(file)
  if (actual === 'sog') return verifySog(file)
  return head[0] === 0x1f ? verifyGzipSpz(file, head) : verifySpzV4(file)
}

// ---------------------------------------------------------------------------------------------
// Sniffing

const startsWith = (bytes: Buffer, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte)

const ascii = (text: string): number[] => [...text].map(char => char.charCodeAt(0))

const PLY_MAGIC = ascii('ply\n')
const PLY_MAGIC_CRLF = ascii('ply\r\n')
const GZIP_MAGIC = [0x1f, 0x8b]
const NGSP_MAGIC = ascii('NGSP')
const ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04]

function sniffFormat(head: Buffer): AssetFormat | undefined {
  if (startsWith(head, PLY_MAGIC) || startsWith(head, PLY_MAGIC_CRLF)) return 'ply'
  if (startsWith(head, GZIP_MAGIC) || startsWith(head, NGSP_MAGIC)) return 'spz'
  if (startsWith(head, ZIP_LOCAL_MAGIC)) return 'sog'
  return undefined
}

/** Names what a web server or API sent instead of an asset, or undefined if it is none of those. */
function describeNonAsset(head: Buffer, size: number): string | undefined {
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
    return `an HTML page, not a splat file (starts with ${shown}${titled})`
  }
  if (lower.startsWith('<')) {
    const code = /<code>([^<]{1,80})<\/code>/i.exec(text)?.[1]
    const message = /<message>([^<]{1,160})<\/message>/i.exec(text)?.[1]
    const details = code
      ? `; code "${collapse(code)}"${message ? `, message "${collapse(message)}"` : ''}`
      : ''
    return `an XML document, not a splat file (starts with ${shown}${details})`
  }
  if (lower.startsWith('{') || lower.startsWith('[')) {
    return describeJson(text, head.length >= size, shown)
  }
  return undefined
}

function describeJson(text: string, complete: boolean, shown: string): string {
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
    return `a JSON API response, not a splat file (c "${collapse(String(body.c))}"${message})`
  }
  if (isRecord(body) && 'means' in body && 'quats' in body) {
    return 'a SOG meta.json on its own, not a bundled .sog file (its images are separate files)'
  }
  const code = /^\{\s*"c"\s*:\s*"([^"]{0,40})"/.exec(text)?.[1]
  if (code !== undefined) return `a JSON API response, not a splat file (c "${collapse(code)}")`
  return `a JSON document, not a splat file (starts with ${shown})`
}

function describeUnknown(head: Buffer, expected: AssetFormat): string {
  const sample = head.subarray(0, 24)
  const looksLikeText = sample.every(byte => isSpace(byte) || byte >= 0x20)
  const shown = looksLikeText
    ? `the bytes are text, starting with ${quoteBytes(sample)}`
    : `its first bytes are ${[...sample.subarray(0, 16)].map(byte => byte.toString(16).padStart(2, '0')).join(' ')}`
  return `not a ${LABEL[expected]} file or any splat format: ${shown}`
}

const isSpace = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)

/** Bytes as a double-quoted string that is safe to print: ASCII as is, anything else escaped. */
function quoteBytes(bytes: Buffer): string {
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

/** One line of printable text, for quoting what a server said. */
const collapse = (text: string): string =>
  [...text]
    .map(char => (char < ' ' || char === '\u007f' ? ' ' : char))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`

/**
 * Relates a file's size to the size its own headers describe. `describer` names those headers,
 * e.g. "the PLY header"; `singular` picks the verb's form for it.
 */
function checkExactSize(
  actual: number,
  expected: number,
  describer: string,
  singular: boolean
): void {
  if (actual < expected) {
    fail(`truncated: ${actual} bytes, ${describer} ${singular ? 'needs' : 'need'} ${expected}`)
  }
  if (actual > expected) {
    const accounts = singular ? 'accounts' : 'account'
    fail(
      `${plural(actual - expected, 'trailing byte')}: ${actual} bytes, ${describer} ${accounts} for ${expected}`
    )
  }
}

// ---------------------------------------------------------------------------------------------
// PLY

const PLY_HEADER_LIMIT = 128 * 1024
const PLY_TYPE_BYTES: Record<string, number> = {
  char: 1,
  uchar: 1,
  int8: 1,
  uint8: 1,
  short: 2,
  ushort: 2,
  int16: 2,
  uint16: 2,
  int: 4,
  uint: 4,
  float: 4,
  int32: 4,
  uint32: 4,
  float32: 4,
  double: 8,
  float64: 8
}
/** Number of f_rest_* coefficients for SH degrees 0..3. */
const F_REST_DEGREE = new Map([0, 9, 24, 45].map((count, degree) => [count, degree]))
/** What every 3DGS splat carries; SH beyond degree 0 (f_rest_*) and normals are optional. */
const GAUSSIAN_PROPERTIES =
  'x y z f_dc_0 f_dc_1 f_dc_2 opacity scale_0 scale_1 scale_2 rot_0 rot_1 rot_2 rot_3'.split(' ')
const PACKED_PROPERTIES = ['packed_position', 'packed_rotation', 'packed_scale', 'packed_color']
/** The compressed PLY stores one `chunk` row of bounds per this many splats. */
const SPLATS_PER_CHUNK = 256

interface PlyElement {
  name: string
  count: number
  properties: string[]
  rowBytes: number
}

async function verifyPly(file: FileRanges): Promise<AssetInfo> {
  const head = await file.read(0, PLY_HEADER_LIMIT)
  const headerBytes = findPlyHeaderEnd(head)
  if (headerBytes === undefined) {
    fail(
      file.size <= PLY_HEADER_LIMIT
        ? `truncated: ${file.size} bytes and the PLY header has no "end_header" line`
        : 'no "end_header" line in the first 128 KiB; a splat PLY header is a few KiB'
    )
  }
  const elements = parsePlyHeader(head.toString('latin1', 0, headerBytes))
  let expectedSize = headerBytes
  for (const element of elements) expectedSize += element.count * element.rowBytes
  if (!Number.isSafeInteger(expectedSize)) fail('the PLY header describes an impossibly large file')
  const layout = elements
    .filter(element => element.count > 0)
    .map(element => `${element.count} ${element.name} × ${element.rowBytes} bytes`)
    .join(' + ')
  checkExactSize(
    file.size,
    expectedSize,
    `the PLY header (${headerBytes} bytes + ${layout || 'no data'})`,
    true
  )

  const vertex = elements.find(element => element.name === 'vertex')
  if (!vertex) fail('the PLY header has no "vertex" element, so no splats')
  const chunk = elements.find(element => element.name === 'chunk')
  if (chunk || vertex.properties.includes('packed_position')) {
    return compressedPlyInfo(
      vertex,
      chunk,
      elements.find(element => element.name === 'sh')
    )
  }
  const missing = GAUSSIAN_PROPERTIES.filter(name => !vertex.properties.includes(name))
  if (missing.length > 0) {
    fail(`not a Gaussian-splat PLY: the vertex element lacks ${missing.join(', ')}`)
  }
  return {
    format: 'ply',
    gaussians: vertex.count,
    version: 'ply-3dgs',
    shDegree: fRestDegree(vertex)
  }
}

function compressedPlyInfo(
  vertex: PlyElement,
  chunk: PlyElement | undefined,
  sh: PlyElement | undefined
): AssetInfo {
  const missing = PACKED_PROPERTIES.filter(name => !vertex.properties.includes(name))
  if (missing.length > 0) {
    fail(`not a compressed PLY: the vertex element lacks ${missing.join(', ')}`)
  }
  const chunksNeeded = Math.ceil(vertex.count / SPLATS_PER_CHUNK)
  if (!chunk || chunk.count < chunksNeeded) {
    fail(
      `compressed PLY with ${vertex.count} splats needs ${chunksNeeded} chunk rows, the header has ${chunk?.count ?? 0}`
    )
  }
  if (sh && sh.count !== vertex.count) {
    fail(`compressed PLY has ${vertex.count} vertex rows but ${sh.count} sh rows; they must match`)
  }
  return {
    format: 'ply',
    gaussians: vertex.count,
    version: 'ply-compressed',
    shDegree: sh ? fRestDegree(sh) : 0
  }
}

function fRestDegree(element: PlyElement): number {
  const count = element.properties.filter(name => /^f_rest_\d+$/.test(name)).length
  const degree = F_REST_DEGREE.get(count)
  if (degree === undefined) {
    fail(
      `${count} f_rest properties in the ${element.name} element; SH degrees 0-3 have 0, 9, 24 or 45`
    )
  }
  return degree
}

/** Length of the header including its `end_header` line, or undefined if it is not in `head`. */
function findPlyHeaderEnd(head: Buffer): number | undefined {
  const match = /\nend_header[ \t]*\r?\n/.exec(head.toString('latin1'))
  return match ? match.index + match[0].length : undefined
}

function parsePlyHeader(header: string): PlyElement[] {
  const lines = header.split('\n').map(line => line.replace(/\r$/, '').trim())
  let format: string | undefined
  const elements: PlyElement[] = []
  for (const line of lines.slice(1)) {
    const words = line.split(/\s+/)
    const keyword = words[0]
    if (keyword === 'end_header') break
    if (keyword === '' || keyword === 'comment' || keyword === 'obj_info') continue
    if (keyword === 'format') {
      format = words.slice(1).join(' ')
      checkPlyFormat(format)
    } else if (keyword === 'element') {
      if (
        words.length !== 3 ||
        !/^\d+$/.test(words[2]) ||
        !Number.isSafeInteger(Number(words[2]))
      ) {
        fail(`malformed PLY header line ${quoteText(line)}`)
      }
      elements.push({ name: words[1], count: Number(words[2]), properties: [], rowBytes: 0 })
    } else if (keyword === 'property') {
      const element = elements.at(-1)
      if (!element) fail(`PLY property before any element: ${quoteText(line)}`)
      if (words[1] === 'list') {
        fail(
          `list property "${words.at(-1)}" in the ${element.name} element: its size depends on the data, and Gaussian-splat PLY files have none`
        )
      }
      const bytes = PLY_TYPE_BYTES[words[1]]
      if (words.length !== 3 || bytes === undefined) {
        fail(`malformed PLY header line ${quoteText(line)}`)
      }
      element.properties.push(words[2])
      element.rowBytes += bytes
    } else {
      fail(`unexpected PLY header line ${quoteText(line)}`)
    }
  }
  if (format === undefined) fail('the PLY header has no "format" line')
  return elements
}

function checkPlyFormat(format: string): void {
  if (format === 'binary_little_endian 1.0') return
  const [encoding] = format.split(' ')
  if (encoding === 'ascii') {
    fail('ASCII PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"')
  }
  if (encoding === 'binary_big_endian') {
    fail('big-endian PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"')
  }
  fail(`unsupported PLY format ${quoteText(format)}; expected "binary_little_endian 1.0"`)
}

const quoteText = (text: string): string => quoteBytes(Buffer.from(text.slice(0, 80), 'latin1'))

// ---------------------------------------------------------------------------------------------
// SPZ

const SPZ_MAGIC = 0x5053474e // "NGSP" read little-endian
const SPZ_FLAG_EXTENSIONS = 0x2
/** Spherical-harmonic coefficients per colour channel for SH degrees 0..4. */
const SH_DIM = [0, 3, 8, 15, 24]
const SPZ_STREAMS = ['positions', 'alphas', 'colours', 'scales', 'rotations', 'spherical harmonics']
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

/** Bytes per splat in each attribute block, in file order. */
function spzAttributeBytes(version: number, shDegree: number): number[] {
  const positions = version === 1 ? 6 : 9 // v1 stored float16 positions, later versions 24-bit fixed point
  const rotations = version >= 3 ? 4 : 3
  return [positions, 1, 3, 3, rotations, 3 * SH_DIM[shDegree]]
}

function checkShDegree(shDegree: number): void {
  if (shDegree >= SH_DIM.length) fail(`SPZ header gives SH degree ${shDegree}; SPZ allows 0-4`)
}

const GZIP_HEADER_AND_TRAILER = 18
const GZIP_RESERVED_FLAGS = 0xe0
/** Compressed bytes tried, in turn, to inflate the 16-byte SPZ header: nearly always the first. */
const GZIP_PREFIX_STEPS = [1024, 16 * 1024, 64 * 1024]
/** Deflate expands at most ~1032:1, so this never trips on a 64 KiB prefix yet bounds memory. */
const INFLATE_OUTPUT_LIMIT = 80 * 1024 * 1024

async function verifyGzipSpz(file: FileRanges, head: Buffer): Promise<AssetInfo> {
  if (file.size < GZIP_HEADER_AND_TRAILER + 2) {
    fail(`truncated: ${file.size} bytes, too short for a gzip stream`)
  }
  if (head[2] !== 8) {
    fail(`not a valid gzip stream: compression method ${head[2]}, gzip uses 8 (deflate)`)
  }
  if ((head[3] & GZIP_RESERVED_FLAGS) !== 0) {
    fail('not a valid gzip stream: reserved header flags are set')
  }

  const header = await inflateGzipPrefix(file, 16)
  if (header.length >= 4 && header.readUInt32LE(0) !== SPZ_MAGIC) {
    fail(
      `gzip data that is not SPZ: it inflates to ${quoteBytes(header.subarray(0, 16))}, not "NGSP..."`
    )
  }
  if (header.length < 16) {
    fail(`truncated: ${file.size} bytes, and the gzip data ends inside the 16-byte SPZ header`)
  }
  const version = header.readUInt32LE(4)
  if (version < 1 || version > 3) {
    fail(
      version === 4
        ? 'SPZ version 4 inside gzip: v4 files are not gzip-compressed'
        : `unsupported SPZ version ${version}`
    )
  }
  const gaussians = header.readUInt32LE(8)
  const shDegree = header[12]
  checkShDegree(shDegree)
  const flags = header[14]

  // The gzip trailer's ISIZE is the uncompressed length mod 2^32: a cut or extended file ends in
  // other bytes, which no longer match what the SPZ header implies.
  const perSplat = spzAttributeBytes(version, shDegree).reduce((sum, bytes) => sum + bytes, 0)
  const expected = 16 + gaussians * perSplat
  const isize = (await file.read(file.size - 4, 4)).readUInt32LE(0)
  const mismatch = (means: string): never =>
    fail(
      `truncated or with bytes appended: the SPZ v${version} header (${gaussians} splats, SH degree ${shDegree}) ` +
        `means ${means}, but the gzip length field at the end of the file reads ${isize}`
    )
  if ((flags & SPZ_FLAG_EXTENSIONS) === 0) {
    if (isize !== expected % 2 ** 32) mismatch(`${expected} bytes uncompressed`)
  } else if (expected < 2 ** 32 && isize < expected) {
    mismatch(`at least ${expected} bytes uncompressed`)
  }
  return { format: 'spz', gaussians, version: `spz-v${version}`, shDegree }
}

/** Inflates the start of the gzip stream, reading more compressed bytes only while too little comes out. */
async function inflateGzipPrefix(file: FileRanges, wanted: number): Promise<Buffer> {
  let output: Buffer = Buffer.alloc(0)
  for (const step of GZIP_PREFIX_STEPS) {
    const input = await file.read(0, step)
    output = inflatePrefix(input, 'gzip')
    if (output.length >= wanted || input.length === file.size) break
  }
  return output
}

/** Inflates as much of `input` as it holds: a stream cut short gives what precedes the cut, not an error. */
function inflatePrefix(input: Buffer, kind: 'gzip' | 'raw'): Buffer {
  const options = {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    maxOutputLength: INFLATE_OUTPUT_LIMIT
  }
  try {
    return kind === 'gzip' ? zlib.gunzipSync(input, options) : zlib.inflateRawSync(input, options)
  } catch (error) {
    fail(`corrupt compressed data: ${describeError(error)}`)
  }
}

const SPZ_V4_HEADER_BYTES = 32
const TOC_ENTRY_BYTES = 16

async function verifySpzV4(file: FileRanges): Promise<AssetInfo> {
  if (file.size < SPZ_V4_HEADER_BYTES) {
    fail(`truncated: ${file.size} bytes, the SPZ v4 header alone needs 32`)
  }
  const header = await file.read(0, SPZ_V4_HEADER_BYTES)
  const version = header.readUInt32LE(4)
  if (version >= 1 && version <= 3) {
    fail(`an uncompressed SPZ v${version} stream: SPZ v1-v3 files are gzip-compressed`)
  }
  if (version !== 4) fail(`unsupported SPZ version ${version}`)
  const gaussians = header.readUInt32LE(8)
  const shDegree = header[12]
  checkShDegree(shDegree)
  const streamCount = header[15]
  const tocOffset = header.readUInt32LE(16)
  const streamBytes = spzAttributeBytes(version, shDegree).slice(0, shDegree === 0 ? 5 : 6)
  if (streamCount !== streamBytes.length) {
    fail(
      `the SPZ v4 header gives ${plural(streamCount, 'stream')}; SH degree ${shDegree} needs ${streamBytes.length}`
    )
  }
  if (tocOffset < SPZ_V4_HEADER_BYTES) {
    fail(`the SPZ v4 table of contents offset ${tocOffset} points inside the 32-byte header`)
  }
  const tocEnd = tocOffset + TOC_ENTRY_BYTES * streamCount
  if (file.size < tocEnd) {
    fail(
      `truncated: ${file.size} bytes, the SPZ v4 header and table of contents alone need ${tocEnd}`
    )
  }

  const toc = await file.read(tocOffset, TOC_ENTRY_BYTES * streamCount)
  const streams: { name: string; offset: number; compressed: number }[] = []
  let end = tocEnd
  for (const [i, bytesPerSplat] of streamBytes.entries()) {
    const name = `stream ${i + 1} (${SPZ_STREAMS[i]})`
    const compressed = readSize(toc, i * TOC_ENTRY_BYTES, `${name}'s compressed size`)
    const uncompressed = toc.readBigUInt64LE(i * TOC_ENTRY_BYTES + 8)
    const wanted = gaussians * bytesPerSplat
    if (uncompressed !== BigInt(wanted)) {
      fail(
        `the SPZ v4 table of contents gives ${name} ${uncompressed} bytes uncompressed; ${gaussians} splats need ${wanted}`
      )
    }
    streams.push({ name, offset: end, compressed })
    end += compressed
  }
  if (!Number.isSafeInteger(end)) fail('impossible stream sizes in the SPZ v4 table of contents')
  checkExactSize(file.size, end, 'the SPZ v4 header and table of contents', false)

  for (const stream of streams) {
    const magic = await file.read(stream.offset, ZSTD_MAGIC.length)
    if (!startsWith(magic, ZSTD_MAGIC)) {
      fail(
        `SPZ v4 ${stream.name} at byte ${stream.offset} is not a Zstandard frame (starts with ${quoteBytes(magic)})`
      )
    }
  }
  return { format: 'spz', gaussians, version: 'spz-v4', shDegree }
}

/** A u64 size; one past 2^53 bytes is corruption, not a real size. */
function readSize(buffer: Buffer, offset: number, what: string): number {
  const value = buffer.readBigUInt64LE(offset)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`impossible ${what}: ${value} bytes`)
  return Number(value)
}

// ---------------------------------------------------------------------------------------------
// SOG (a ZIP of meta.json and WebP images)

const EOCD_SIGNATURE = 0x06054b50
const EOCD_BYTES = 22
const MAX_ZIP_COMMENT = 0xffff
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_LOCATOR_BYTES = 20
const CENTRAL_SIGNATURE = 0x02014b50
const CENTRAL_ENTRY_BYTES = 46
const LOCAL_SIGNATURE = 0x04034b50
const LOCAL_HEADER_BYTES = 30
/** A SOG's directory lists a handful of files; more than this is not a SOG. */
const CENTRAL_DIRECTORY_LIMIT = 1024 * 1024
const META_JSON_LIMIT = 1024 * 1024
const WEBP_HEADER_BYTES = 30
/** Compressed bytes inflated to reach a deflated image's header. */
const DEFLATED_HEADER_INPUT = 4096

interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
}

interface ZipDirectory {
  entries: Map<string, ZipEntry>
  /** Where entry data must end. */
  centralDirectoryOffset: number
}

async function verifySog(file: FileRanges): Promise<AssetInfo> {
  const zip = await readZipDirectory(file)
  const metaEntry = zip.entries.get('meta.json')
  if (!metaEntry) fail('no meta.json in the SOG bundle')
  const meta = parseSogMeta(await readWholeEntry(file, zip, metaEntry))

  for (const texture of meta.textures) {
    const entry = zip.entries.get(texture.name)
    if (!entry) fail(`meta.json names "${texture.name}", which is not in the SOG bundle`)
    const webp = readWebpHeader(
      await readEntryStart(file, zip, entry, WEBP_HEADER_BYTES),
      texture.name
    )
    if (webp.riffBytes !== entry.uncompressedSize) {
      fail(
        `"${texture.name}" is damaged: its WebP header says ${webp.riffBytes} bytes, the bundle holds ${entry.uncompressedSize}`
      )
    }
    if (texture.perSplat && webp.width * webp.height < meta.count) {
      fail(
        `"${texture.name}" is ${webp.width}×${webp.height} = ${webp.width * webp.height} pixels, fewer than the ${meta.count} splats`
      )
    }
  }
  return {
    format: 'sog',
    gaussians: meta.count,
    version: `sog-v${meta.version}`,
    shDegree: meta.shDegree
  }
}

async function readZipDirectory(file: FileRanges): Promise<ZipDirectory> {
  const tailLength = Math.min(file.size, EOCD_BYTES + MAX_ZIP_COMMENT)
  const tailStart = file.size - tailLength
  const tail = await file.read(tailStart, tailLength)
  let at = -1
  for (let i = tail.length - 4; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      at = i
      break
    }
  }
  if (at < 0) {
    fail(
      `truncated: ${file.size} bytes and no ZIP end-of-central-directory record; the download was cut short`
    )
  }
  if (at + EOCD_BYTES > tail.length) {
    fail(
      `truncated: ${file.size} bytes, the file ends inside the ZIP end-of-central-directory record`
    )
  }
  const eocdOffset = tailStart + at
  const eocd = tail.subarray(at, at + EOCD_BYTES)
  const commentLength = eocd.readUInt16LE(20)
  checkExactSize(file.size, eocdOffset + EOCD_BYTES + commentLength, 'the ZIP directory', true)

  const entryCount = eocd.readUInt16LE(10)
  const directorySize = eocd.readUInt32LE(12)
  const directoryOffset = eocd.readUInt32LE(16)
  const zip64 =
    entryCount === 0xffff ||
    directorySize === 0xffffffff ||
    directoryOffset === 0xffffffff ||
    (eocdOffset >= ZIP64_LOCATOR_BYTES &&
      (await file.read(eocdOffset - ZIP64_LOCATOR_BYTES, 4)).readUInt32LE(0) ===
        ZIP64_LOCATOR_SIGNATURE)
  if (zip64) fail('a ZIP64 archive; SOG bundles are plain ZIP files, and ZIP64 is not supported')
  if (
    eocd.readUInt16LE(4) !== 0 ||
    eocd.readUInt16LE(6) !== 0 ||
    eocd.readUInt16LE(8) !== entryCount
  ) {
    fail('a multi-part (spanned) ZIP archive; a SOG bundle is a single file')
  }
  if (directoryOffset + directorySize !== eocdOffset) {
    fail(
      `corrupt ZIP: the central directory (${directorySize} bytes at ${directoryOffset}) does not end where the end record starts (${eocdOffset})`
    )
  }
  if (directorySize > CENTRAL_DIRECTORY_LIMIT) {
    fail(`a ZIP central directory of ${directorySize} bytes; a SOG bundle lists a handful of files`)
  }

  const directory = await file.read(directoryOffset, directorySize)
  const entries = new Map<string, ZipEntry>()
  let position = 0
  for (let k = 0; k < entryCount; k++) {
    if (
      position + CENTRAL_ENTRY_BYTES > directory.length ||
      directory.readUInt32LE(position) !== CENTRAL_SIGNATURE
    ) {
      fail(`corrupt ZIP central directory: entry ${k + 1} of ${entryCount} is missing or damaged`)
    }
    const nameLength = directory.readUInt16LE(position + 28)
    const nameEnd = position + CENTRAL_ENTRY_BYTES + nameLength
    const entry: ZipEntry = {
      name: directory.toString('utf8', position + CENTRAL_ENTRY_BYTES, nameEnd),
      method: directory.readUInt16LE(position + 10),
      compressedSize: directory.readUInt32LE(position + 20),
      uncompressedSize: directory.readUInt32LE(position + 24),
      localHeaderOffset: directory.readUInt32LE(position + 42)
    }
    checkZipEntry(entry, directory.readUInt16LE(position + 8))
    entries.set(entry.name, entry)
    position =
      nameEnd + directory.readUInt16LE(position + 30) + directory.readUInt16LE(position + 32)
  }
  if (position !== directory.length) {
    fail(
      `corrupt ZIP central directory: it does not hold exactly the ${entryCount} entries its end record counts`
    )
  }
  return { entries, centralDirectoryOffset: directoryOffset }
}

function checkZipEntry(entry: ZipEntry, flags: number): void {
  if (
    [entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset].includes(0xffffffff)
  ) {
    fail(`ZIP64 entry "${entry.name}"; SOG bundles are plain ZIP files, and ZIP64 is not supported`)
  }
  if ((flags & 0x1) !== 0) fail(`"${entry.name}" is encrypted`)
  if (entry.method !== 0 && entry.method !== 8) {
    fail(
      `"${entry.name}" uses ZIP compression method ${entry.method}; SOG readers accept stored (0) and deflate (8)`
    )
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    fail(
      `corrupt ZIP: stored entry "${entry.name}" lists ${entry.compressedSize} bytes compressed but ${entry.uncompressedSize} uncompressed`
    )
  }
}

/** Where an entry's data starts: the local header has its own name and extra-field lengths. */
async function entryDataOffset(
  file: FileRanges,
  zip: ZipDirectory,
  entry: ZipEntry
): Promise<number> {
  const local = await file.read(entry.localHeaderOffset, LOCAL_HEADER_BYTES)
  if (local.length < LOCAL_HEADER_BYTES || local.readUInt32LE(0) !== LOCAL_SIGNATURE) {
    fail(`corrupt ZIP: no local header for "${entry.name}" at byte ${entry.localHeaderOffset}`)
  }
  const dataOffset =
    entry.localHeaderOffset + LOCAL_HEADER_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28)
  if (dataOffset + entry.compressedSize > zip.centralDirectoryOffset) {
    fail(`corrupt ZIP: "${entry.name}" runs past the start of the central directory`)
  }
  return dataOffset
}

async function readEntryStart(
  file: FileRanges,
  zip: ZipDirectory,
  entry: ZipEntry,
  length: number
): Promise<Buffer> {
  const offset = await entryDataOffset(file, zip, entry)
  if (entry.method === 0) return file.read(offset, Math.min(length, entry.compressedSize))
  const compressed = await file.read(offset, Math.min(DEFLATED_HEADER_INPUT, entry.compressedSize))
  return inflatePrefix(compressed, 'raw').subarray(0, length)
}

async function readWholeEntry(
  file: FileRanges,
  zip: ZipDirectory,
  entry: ZipEntry
): Promise<Buffer> {
  if (entry.uncompressedSize > META_JSON_LIMIT || entry.compressedSize > META_JSON_LIMIT) {
    fail(
      `"${entry.name}" is ${entry.uncompressedSize} bytes; more than the ${META_JSON_LIMIT} a SOG's meta.json can need`
    )
  }
  const offset = await entryDataOffset(file, zip, entry)
  const stored = await file.read(offset, entry.compressedSize)
  let data: Buffer = stored
  if (entry.method === 8) {
    try {
      data = zlib.inflateRawSync(stored, { maxOutputLength: META_JSON_LIMIT })
    } catch (error) {
      fail(`"${entry.name}" does not inflate: ${describeError(error)}`)
    }
  }
  if (data.length !== entry.uncompressedSize) {
    fail(
      `"${entry.name}" holds ${data.length} bytes, the ZIP directory says ${entry.uncompressedSize}`
    )
  }
  return data
}

interface SogTexture {
  name: string
  /** One pixel per splat, so it must have at least `count` pixels. */
  perSplat: boolean
}

interface SogMeta {
  version: 1 | 2
  count: number
  shDegree: number
  textures: SogTexture[]
}

function parseSogMeta(bytes: Buffer): SogMeta {
  let meta: unknown
  try {
    meta = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    fail(`meta.json is not valid JSON: ${describeError(error)}`)
  }
  if (!isRecord(meta)) fail('meta.json is not a JSON object')

  const textures: SogTexture[] = []
  for (const section of ['means', 'scales', 'quats', 'sh0']) {
    for (const name of sectionFiles(meta, section)) textures.push({ name, perSplat: true })
  }
  const shN = meta.shN
  if (shN !== undefined) {
    const [centroids, labels, ...rest] = sectionFiles(meta, 'shN')
    if (labels === undefined) {
      fail('meta.json lists no shN labels image (shN.files needs two images)')
    }
    textures.push({ name: centroids, perSplat: false }, { name: labels, perSplat: true })
    for (const name of rest) textures.push({ name, perSplat: false })
  }

  if (meta.version === undefined) {
    // Version 1 had no version field and no count: the count is the first dimension of means.
    const count = (
      isRecord(meta.means) && Array.isArray(meta.means.shape) ? meta.means.shape : []
    )[0]
    const fRest = isRecord(shN) && Array.isArray(shN.shape) ? shN.shape[1] : undefined
    const shDegree = shN === undefined ? 0 : F_REST_DEGREE.get(Number(fRest)) || undefined
    if (!isCount(count)) fail('meta.json (SOG version 1) has no valid means.shape[0] splat count')
    if (shDegree === undefined) {
      fail('meta.json (SOG version 1) has shN without a valid shN.shape[1] (9, 24 or 45)')
    }
    return { version: 1, count, shDegree, textures }
  }
  if (meta.version !== 2) fail(`unsupported SOG meta.json version ${JSON.stringify(meta.version)}`)
  if (!isCount(meta.count)) fail('meta.json has no valid "count"')
  let shDegree = 0
  if (shN !== undefined) {
    const bands = isRecord(shN) ? shN.bands : undefined
    if (bands !== 1 && bands !== 2 && bands !== 3) {
      fail('meta.json has shN without a valid shN.bands (1, 2 or 3)')
    }
    shDegree = bands
  }
  return { version: 2, count: meta.count, shDegree, textures }
}

const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0

function sectionFiles(meta: Record<string, unknown>, section: string): string[] {
  const value = meta[section]
  const files = isRecord(value) ? value.files : undefined
  if (
    !Array.isArray(files) ||
    files.length === 0 ||
    !files.every(name => typeof name === 'string')
  ) {
    fail(`meta.json has no "${section}.files" list of image names`)
  }
  return files
}

interface WebpHeader {
  /** The RIFF size field + 8: the whole file's length. */
  riffBytes: number
  width: number
  height: number
}

function readWebpHeader(bytes: Buffer, name: string): WebpHeader {
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
