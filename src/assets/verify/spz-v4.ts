import { checkExactSize, type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { startsWith } from './sniff.js'
import { checkShDegree, SPZ_ATTRIBUTES, spzAttributeBytes } from './spz-layout.js'
import { plural, quoteBytes } from './text.js'

const SPZ_V4_HEADER_BYTES = 32
const TOC_ENTRY_BYTES = 16
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

interface Stream {
  name: string
  offset: number
  compressed: number
}

/**
 * Checks an SPZ v4 file: its header, a table of contents whose uncompressed sizes match the splat
 * count, streams that fill the file exactly, and a Zstandard frame at the start of each stream.
 */
export async function verifySpzV4(file: FileRanges): Promise<AssetInfo> {
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
  const streams = readStreams(toc, tocEnd, gaussians, streamBytes)
  const end = streams.reduce((at, stream) => at + stream.compressed, tocEnd)
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

/** The streams the table of contents lists, laid end to end from `start`. */
function readStreams(
  toc: Buffer,
  start: number,
  gaussians: number,
  streamBytes: number[]
): Stream[] {
  const streams: Stream[] = []
  let offset = start
  for (const [i, bytesPerSplat] of streamBytes.entries()) {
    const name = `stream ${i + 1} (${SPZ_ATTRIBUTES[i]})`
    const compressed = readSize(toc, i * TOC_ENTRY_BYTES, `${name}'s compressed size`)
    const uncompressed = toc.readBigUInt64LE(i * TOC_ENTRY_BYTES + 8)
    const wanted = gaussians * bytesPerSplat
    if (uncompressed !== BigInt(wanted)) {
      fail(
        `the SPZ v4 table of contents gives ${name} ${uncompressed} bytes uncompressed; ${gaussians} splats need ${wanted}`
      )
    }
    streams.push({ name, offset, compressed })
    offset += compressed
  }
  return streams
}

/** A u64 size; one past 2^53 bytes is corruption, not a real size. */
function readSize(buffer: Buffer, offset: number, what: string): number {
  const value = buffer.readBigUInt64LE(offset)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`impossible ${what}: ${value} bytes`)
  return Number(value)
}
