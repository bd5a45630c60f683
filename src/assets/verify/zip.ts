import * as zlib from 'node:zlib'
import { checkExactSize, type FileRanges } from './file-ranges.js'
import { inflatePrefix } from './inflate-prefix.js'
import { fail } from './result.js'
import { errorMessage } from '../../errors.js'

/**
 * Reads a ZIP container (a SOG bundle, a USDZ, a 3MF, a zipped OBJ or FBX): its directory, and the
 * start or the whole of an entry. Only one plain ZIP file with stored or deflated entries is
 * accepted; `ZipKind` names the container in the messages.
 */

const EOCD_SIGNATURE = 0x06054b50
const EOCD_BYTES = 22
const MAX_ZIP_COMMENT = 0xffff
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_LOCATOR_BYTES = 20
const CENTRAL_SIGNATURE = 0x02014b50
const CENTRAL_ENTRY_BYTES = 46
const LOCAL_SIGNATURE = 0x04034b50
const LOCAL_HEADER_BYTES = 30
/** The services' ZIPs list a handful of files (about 10,000 entries fit in this). */
const CENTRAL_DIRECTORY_LIMIT = 1024 * 1024
const META_JSON_LIMIT = 1024 * 1024
/** Compressed bytes inflated to reach a deflated image's header. */
const DEFLATED_HEADER_INPUT = 4096

export interface ZipEntry {
  name: string
  method: number
  /** CRC-32 of the uncompressed data, from the central directory. */
  crc32: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
}

/** How messages name the container: `a SOG bundle`, `SOG bundles`, `SOG readers`. */
export interface ZipKind {
  one: string
  many: string
  readers: string
}

export const SOG_ZIP: ZipKind = {
  one: 'a SOG bundle',
  many: 'SOG bundles',
  readers: 'SOG readers'
}

export interface ZipDirectory {
  entries: Map<string, ZipEntry>
  /** Where entry data must end. */
  centralDirectoryOffset: number
}

/** Reads the central directory, checking that the file ends exactly where the end record says. */
export async function readZipDirectory(
  file: FileRanges,
  kind: ZipKind = SOG_ZIP
): Promise<ZipDirectory> {
  const { eocd, eocdOffset } = await findEndRecord(file)
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
  if (zip64) fail(`a ZIP64 archive; ${kind.many} are plain ZIP files, and ZIP64 is not supported`)
  if (
    eocd.readUInt16LE(4) !== 0 ||
    eocd.readUInt16LE(6) !== 0 ||
    eocd.readUInt16LE(8) !== entryCount
  ) {
    fail(`a multi-part (spanned) ZIP archive; ${kind.one} is a single file`)
  }
  if (directoryOffset + directorySize !== eocdOffset) {
    fail(
      `corrupt ZIP: the central directory (${directorySize} bytes at ${directoryOffset}) does not end where the end record starts (${eocdOffset})`
    )
  }
  if (directorySize > CENTRAL_DIRECTORY_LIMIT) {
    fail(`a ZIP central directory of ${directorySize} bytes; ${kind.one} lists a handful of files`)
  }

  const directory = await file.read(directoryOffset, directorySize)
  return {
    entries: parseCentralDirectory(directory, entryCount, kind),
    centralDirectoryOffset: directoryOffset
  }
}

/** The end-of-central-directory record, searched for backwards past a comment of up to 64 KiB. */
async function findEndRecord(file: FileRanges): Promise<{ eocd: Buffer; eocdOffset: number }> {
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
  return { eocd: tail.subarray(at, at + EOCD_BYTES), eocdOffset: tailStart + at }
}

function parseCentralDirectory(
  directory: Buffer,
  entryCount: number,
  kind: ZipKind
): Map<string, ZipEntry> {
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
      crc32: directory.readUInt32LE(position + 16),
      compressedSize: directory.readUInt32LE(position + 20),
      uncompressedSize: directory.readUInt32LE(position + 24),
      localHeaderOffset: directory.readUInt32LE(position + 42)
    }
    checkZipEntry(entry, directory.readUInt16LE(position + 8), kind)
    entries.set(entry.name, entry)
    position =
      nameEnd + directory.readUInt16LE(position + 30) + directory.readUInt16LE(position + 32)
  }
  if (position !== directory.length) {
    fail(
      `corrupt ZIP central directory: it does not hold exactly the ${entryCount} entries its end record counts`
    )
  }
  return entries
}

function checkZipEntry(entry: ZipEntry, flags: number, kind: ZipKind): void {
  if (
    [entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset].includes(0xffffffff)
  ) {
    fail(
      `ZIP64 entry "${entry.name}"; ${kind.many} are plain ZIP files, and ZIP64 is not supported`
    )
  }
  if ((flags & 0x1) !== 0) fail(`"${entry.name}" is encrypted`)
  if (entry.method !== 0 && entry.method !== 8) {
    fail(
      `"${entry.name}" uses ZIP compression method ${entry.method}; ${kind.readers} accept stored (0) and deflate (8)`
    )
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    fail(
      `corrupt ZIP: stored entry "${entry.name}" lists ${entry.compressedSize} bytes compressed but ${entry.uncompressedSize} uncompressed`
    )
  }
}

/** Where an entry's data starts: the local header has its own name and extra-field lengths. */
export async function entryDataOffset(
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

/** Up to `length` uncompressed bytes from the start of an entry, inflating only a little of it. */
export async function readEntryStart(
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

/** A small entry (meta.json) whole, checked against the size the directory gives it. */
export async function readWholeEntry(
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
      fail(`"${entry.name}" does not inflate: ${errorMessage(error)}`)
    }
  }
  if (data.length !== entry.uncompressedSize) {
    fail(
      `"${entry.name}" holds ${data.length} bytes, the ZIP directory says ${entry.uncompressedSize}`
    )
  }
  return data
}
