import * as zlib from 'node:zlib'
import { hex32 } from './crc32.js'
import { type FileRanges } from './file-ranges.js'
import { fail } from './result.js'
import { digestStream, zlibProblem } from './stream-digest.js'
import { plural } from './text.js'

const GZIP_TRAILER_BYTES = 8
const INFLATE_CHUNK = 256 * 1024

export interface GzipExpectation {
  /** Uncompressed bytes the SPZ header implies. */
  bytes: number
  /** Extensions may follow the attributes, so `bytes` is only a lower bound. */
  atLeast: boolean
  /** Names the header in messages, e.g. "the SPZ v3 header (1000 splats, SH degree 3)". */
  header: string
}

/**
 * Inflates the whole gzip stream from disk and holds it against its trailer (CRC-32 and ISIZE)
 * and against the size the SPZ header implies. zlib checks each member's trailer itself; the
 * running CRC-32 here covers the whole output, so a second member shows up as a mismatch with the
 * last trailer.
 */
export async function checkGzipStream(file: FileRanges, expected: GzipExpectation): Promise<void> {
  const trailer = await file.read(file.size - GZIP_TRAILER_BYTES, GZIP_TRAILER_BYTES)
  const storedCrc = trailer.readUInt32LE(0)
  const storedLength = trailer.readUInt32LE(4)
  const gunzip = zlib.createGunzip({ chunkSize: INFLATE_CHUNK })
  const limit = expected.atLeast ? Number.MAX_SAFE_INTEGER : expected.bytes
  let digest
  try {
    digest = await digestStream(file.stream(0, file.size), gunzip, limit)
  } catch (error) {
    const problem = zlibProblem(error)
    if (problem === undefined) throw error
    if (problem === 'incorrect data check') {
      fail(
        `checksum mismatch: the inflated data does not match the CRC-32 (${hex32(storedCrc)}) at the end of the gzip stream; the file is damaged`
      )
    }
    if (problem === 'incorrect length check') {
      fail(
        `checksum mismatch: the inflated data is not the ${storedLength} bytes the gzip length field records; the file is damaged`
      )
    }
    fail(`corrupt compressed data: ${problem}`)
  }
  if (digest.overLimit) {
    fail(
      `bytes appended inside the gzip stream: ${expected.header} means ${expected.bytes} bytes uncompressed, the data inflates to more`
    )
  }
  if (digest.consumed < file.size) {
    fail(
      `${plural(file.size - digest.consumed, 'trailing byte')} after the end of the gzip stream, at byte ${digest.consumed}`
    )
  }
  if (digest.crc !== storedCrc || digest.bytes % 2 ** 32 !== storedLength) {
    fail(
      'more than one gzip stream in the file (concatenated gzip members); SPZ readers inflate only the first'
    )
  }
  // Only a file over 4 GiB uncompressed can get here with a wrong length, as ISIZE is mod 2^32.
  if (expected.atLeast ? digest.bytes < expected.bytes : digest.bytes !== expected.bytes) {
    fail(
      `truncated or with bytes appended: ${expected.header} means ${expected.atLeast ? 'at least ' : ''}${expected.bytes} bytes uncompressed, the data inflates to ${digest.bytes}`
    )
  }
}
