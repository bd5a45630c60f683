import { type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { notTheFormat, SNIFF_BYTES, startsWith } from './sniff.js'

/**
 * Checks a bare FBX. Binary: the magic `Kaydara FBX Binary  \0`, bytes 1A 00, a four-digit version,
 * then the top-level node records, each of which gives the offset where it ends. Walking those
 * (a few small reads) finds a file cut short: the list must end in a null record inside the file.
 * ASCII: the `; FBX 7.4.0 project file` comment that starts every file Autodesk's SDK writes.
 */

const BINARY_MAGIC_BYTES = Buffer.from('Kaydara FBX Binary  \0\x1a\0', 'latin1')
const BINARY_MAGIC = [...BINARY_MAGIC_BYTES]
const HEADER_BYTES = 27
/** Files from version 7500 on have 64-bit offsets in their node records. */
const WIDE_RECORDS_FROM = 7500
/** An FBX has a dozen top-level nodes; a walk longer than this is not reading an FBX. */
const MAX_TOP_LEVEL_NODES = 100_000
const ASCII_HEADER = /^(\ufeff)?; FBX (\d+)\.(\d+)\.(\d+) project file/

/** Whether these first bytes start an FBX, binary or ASCII (for the one inside a zipped FBX). */
export function startsAsFbx(head: Buffer): boolean {
  return startsWith(head, BINARY_MAGIC) || ASCII_HEADER.test(head.toString('utf8', 0, 80))
}

export async function verifyFbx(file: FileRanges): Promise<AssetInfo> {
  const head = await file.read(0, SNIFF_BYTES)
  if (startsWith(head, BINARY_MAGIC.slice(0, 18))) {
    if (head.length < HEADER_BYTES && startsWith(BINARY_MAGIC_BYTES, [...head].slice(0, 23))) {
      fail(`truncated: ${file.size} bytes, inside the FBX header`)
    }
    if (!startsWith(head, BINARY_MAGIC)) {
      fail('a damaged FBX header: "Kaydara FBX Binary" is not followed by two spaces, \\0, 1A 00')
    }
    return verifyBinary(file, head)
  }
  const ascii = ASCII_HEADER.exec(head.toString('utf8', 0, 80))
  if (ascii) return { format: 'fbx', version: `fbx-ascii-${ascii[2]}${ascii[3]}${ascii[4]}0` }
  notTheFormat(
    head,
    file.size,
    'FBX',
    'binary FBX starts with "Kaydara FBX Binary  \\0", ASCII FBX with "; FBX <version> project file"'
  )
}

async function verifyBinary(file: FileRanges, head: Buffer): Promise<AssetInfo> {
  if (head.length < HEADER_BYTES) fail(`truncated: ${file.size} bytes, inside the FBX header`)
  const version = head.readUInt32LE(23)
  if (version < 1000 || version > 9999) fail(`FBX version ${version}; versions have four digits`)
  const wide = version >= WIDE_RECORDS_FROM
  const recordHeader = wide ? 25 : 13
  let at = HEADER_BYTES
  for (let nodes = 0; nodes <= MAX_TOP_LEVEL_NODES; nodes++) {
    const record = await file.read(at, recordHeader)
    if (record.length < recordHeader) {
      fail(`truncated: ${file.size} bytes, the FBX ends inside its node records (at byte ${at})`)
    }
    const end = wide ? Number(record.readBigUInt64LE(0)) : record.readUInt32LE(0)
    if (end === 0) {
      if (record.some(byte => byte !== 0)) fail(`a damaged FBX node record at byte ${at}`)
      return { format: 'fbx', version: `fbx-binary-${version}` }
    }
    if (end <= at + recordHeader) fail(`a damaged FBX node record at byte ${at}`)
    if (end > file.size) {
      fail(`truncated: ${file.size} bytes, an FBX node record at byte ${at} ends at ${end}`)
    }
    at = end
  }
  fail(`more than ${MAX_TOP_LEVEL_NODES} top-level FBX nodes; not an FBX scene`)
}
