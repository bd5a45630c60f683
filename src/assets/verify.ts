import { open, type FileHandle } from 'node:fs/promises'
import type { AssetFormat } from '../domain/formats.js'
import { FileRanges } from './verify/file-ranges.js'
import { verifyPly } from './verify/ply.js'
import { AssetVerificationError, fail, type AssetInfo } from './verify/result.js'
import { expectFormat, SNIFF_BYTES } from './verify/sniff.js'
import { verifySog } from './verify/sog.js'
import { verifyGzipSpz } from './verify/spz-gzip.js'
import { verifySpzV4 } from './verify/spz-v4.js'
import { errorMessage } from '../errors.js'

/**
 * Checks a downloaded Gaussian-splat file by its content (see FORMATS.md): the bytes must be the
 * format the file is named for, its headers and directories must be consistent, and its size must
 * be exactly what they describe. Only headers, tables and a few bytes of each image are read, so
 * a multi-gigabyte file costs a few small reads.
 */

export { AssetVerificationError, type AssetInfo }

/** Checks a file on disk by content, reading headers and directories only (never the whole file into memory). */
export async function verifyAsset(filePath: string, expected: AssetFormat): Promise<AssetInfo> {
  let file: FileHandle
  try {
    file = await open(filePath, 'r')
  } catch (error) {
    throw new AssetVerificationError(`cannot open the file: ${errorMessage(error)}`)
  }
  try {
    const stat = await file.stat()
    if (!stat.isFile()) fail('not a regular file')
    return await verifyContent(new FileRanges(file, stat.size), expected)
  } catch (error) {
    if (error instanceof AssetVerificationError) throw error
    throw new AssetVerificationError(`cannot read the file: ${errorMessage(error)}`)
  } finally {
    await file.close()
  }
}

async function verifyContent(file: FileRanges, expected: AssetFormat): Promise<AssetInfo> {
  const head = await file.read(0, SNIFF_BYTES)
  expectFormat(head, file.size, expected)
  if (expected === 'ply') return verifyPly(file)
  if (expected === 'sog') return verifySog(file)
  return head[0] === 0x1f ? verifyGzipSpz(file, head) : verifySpzV4(file)
}
