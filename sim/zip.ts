/** A ZIP reader for the tests: enough for the archives @actions/artifact writes (no ZIP64). */
import { crc32, inflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated. */
  method: number
  data: Buffer
}

/**
 * The entries of a ZIP archive, read from its central directory, inflated and checked
 * against their CRC-32. Enough for the archives @actions/artifact writes (no ZIP64).
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0 || eocd + 22 > zip.length) throw new Error('not a ZIP: no end of central directory')
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`)
    const method = zip.readUInt16LE(at + 10)
    const crc = zip.readUInt32LE(at + 16)
    const compressedSize = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localOffset = zip.readUInt32LE(at + 42)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + extraLength + commentLength

    if (zip.readUInt32LE(localOffset) !== 0x04034b50)
      throw new Error(`bad local header for ${name}`)
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    const data =
      method === 0 ? raw : method === 8 ? inflateRawSync(raw) : fail(`${name}: method ${method}`)
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes, expected ${size}`)
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch`)
    entries.push({ name, method, data })
  }
  return entries
}

function fail(message: string): never {
  throw new Error(message)
}
