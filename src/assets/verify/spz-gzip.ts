import { type FileRanges } from './file-ranges.js'
import { checkGzipStream } from './gzip-check.js'
import { inflatePrefix } from './inflate-prefix.js'
import { fail, type AssetInfo } from './result.js'
import { SPZ_MAGIC, startsWith } from './sniff.js'
import { checkShDegree, spzAttributeBytes } from './spz-layout.js'
import { quoteBytes } from './text.js'

const SPZ_HEADER_BYTES = 16
const GZIP_HEADER_AND_TRAILER = 18
const GZIP_RESERVED_FLAGS = 0xe0
/** Compressed bytes tried, in turn, to inflate the 16-byte SPZ header: nearly always the first. */
const GZIP_PREFIX_STEPS = [1024, 16 * 1024, 64 * 1024]
const SPZ_FLAG_EXTENSIONS = 0x2

/**
 * Checks a gzip-compressed SPZ v1-v3 file, given its first bytes: the gzip header, the inflated
 * SPZ header, and the gzip trailer's length against the size that header implies. `deep` then
 * inflates the whole stream for its CRC-32, which catches damage that keeps the size.
 */
export async function verifyGzipSpz(
  file: FileRanges,
  head: Buffer,
  deep: boolean
): Promise<AssetInfo> {
  if (file.size < GZIP_HEADER_AND_TRAILER + 2) {
    fail(`truncated: ${file.size} bytes, too short for a gzip stream`)
  }
  if (head[2] !== 8) {
    fail(`not a valid gzip stream: compression method ${head[2]}, gzip uses 8 (deflate)`)
  }
  if ((head[3] & GZIP_RESERVED_FLAGS) !== 0) {
    fail('not a valid gzip stream: reserved header flags are set')
  }

  const header = await inflateGzipPrefix(file, SPZ_HEADER_BYTES)
  if (header.length >= SPZ_MAGIC.length && !startsWith(header, SPZ_MAGIC)) {
    fail(
      `gzip data that is not SPZ: it inflates to ${quoteBytes(header.subarray(0, SPZ_HEADER_BYTES))}, not "NGSP..."`
    )
  }
  if (header.length < SPZ_HEADER_BYTES) {
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
  const expected = SPZ_HEADER_BYTES + gaussians * perSplat
  const isize = (await file.read(file.size - 4, 4)).readUInt32LE(0)
  const described = `the SPZ v${version} header (${gaussians} splats, SH degree ${shDegree})`
  const mismatch = (means: string): never =>
    fail(
      `truncated or with bytes appended: ${described} ` +
        `means ${means}, but the gzip length field at the end of the file reads ${isize}`
    )
  // Extensions follow the attributes, so with them the header gives only a lower bound.
  const atLeast = (flags & SPZ_FLAG_EXTENSIONS) !== 0
  if (!atLeast) {
    if (isize !== expected % 2 ** 32) mismatch(`${expected} bytes uncompressed`)
  } else if (expected < 2 ** 32 && isize < expected) {
    mismatch(`at least ${expected} bytes uncompressed`)
  }
  if (deep) await checkGzipStream(file, { bytes: expected, atLeast, header: described })
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
