import * as zlib from 'node:zlib'
import { crc32, hex32 } from './crc32.js'
import { type FileRanges } from './file-ranges.js'
import { fail } from './result.js'
import { digestStream, zlibProblem } from './stream-digest.js'
import { entryDataOffset, type ZipDirectory, type ZipEntry } from './zip.js'

const INFLATE_CHUNK = 256 * 1024

/**
 * Streams one entry's data from disk (inflating it when deflated) and holds its CRC-32 and length
 * against the central directory. Raw deflate carries no checksum of its own, so this is the only
 * check that a deflated entry's content is what was written.
 */
export async function checkEntryChecksum(
  file: FileRanges,
  zip: ZipDirectory,
  entry: ZipEntry
): Promise<void> {
  const offset = await entryDataOffset(file, zip, entry)
  const inflater =
    entry.method === 8 ? zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK }) : undefined
  let digest
  try {
    digest = await digestStream(
      file.stream(offset, entry.compressedSize),
      inflater,
      entry.uncompressedSize
    )
  } catch (error) {
    const problem = zlibProblem(error)
    if (problem === undefined) throw error
    fail(`corrupt compressed data in "${entry.name}": ${problem}`)
  }
  if (digest.overLimit || digest.bytes !== entry.uncompressedSize) {
    const holds = digest.overLimit ? `more than ${entry.uncompressedSize}` : `${digest.bytes}`
    fail(
      `checksum mismatch: "${entry.name}" holds ${holds} bytes uncompressed, the ZIP directory records ${entry.uncompressedSize}`
    )
  }
  if (digest.consumed !== entry.compressedSize) {
    fail(
      `corrupt ZIP: the compressed data of "${entry.name}" ends after ${digest.consumed} of its ${entry.compressedSize} bytes`
    )
  }
  checkCrc(entry, digest.crc)
}

/** For an entry already read whole, such as meta.json. */
export function checkEntryBytes(entry: ZipEntry, data: Buffer): void {
  checkCrc(entry, crc32(data))
}

function checkCrc(entry: ZipEntry, actual: number): void {
  if (actual !== entry.crc32) {
    fail(
      `checksum mismatch: "${entry.name}" has CRC-32 ${hex32(actual)}, the ZIP directory records ${hex32(entry.crc32)}`
    )
  }
}

/**
 * Every entry's local header, and with `deep` its data: streamed once, inflated where deflated,
 * its CRC-32 and both sizes held against the directory. Entries are checked in directory order.
 */
export async function checkEveryEntry(
  file: FileRanges,
  zip: ZipDirectory,
  deep: boolean
): Promise<void> {
  for (const entry of zip.entries.values()) {
    if (deep) await checkEntryChecksum(file, zip, entry)
    else await entryDataOffset(file, zip, entry)
  }
}
