import { open, type FileHandle } from 'node:fs/promises'
import { type AssetFormat, isSplatFormat, type SplatFormat } from '../domain/formats.js'
import { FileRanges } from './verify/file-ranges.js'
import { verifyFbx } from './verify/fbx.js'
import { verifyGlb } from './verify/glb.js'
import { verifyImage } from './verify/image.js'
import { verifyStl } from './verify/stl.js'
import { verify3mf } from './verify/three-mf.js'
import { verifyUsdz } from './verify/usdz.js'
import { verifyZipBundle } from './verify/zip-bundle.js'
import { verifyPly } from './verify/ply.js'
import { AssetVerificationError, fail, type AssetInfo } from './verify/result.js'
import { expectFormat, SNIFF_BYTES } from './verify/sniff.js'
import { verifySog } from './verify/sog.js'
import { verifyGzipSpz } from './verify/spz-gzip.js'
import { verifySpzV4 } from './verify/spz-v4.js'
import { errorMessage } from '../errors.js'

/**
 * Checks a downloaded file by its content (see docs/FORMATS.md): the bytes must be the format the
 * file is named for, its headers and directories must be consistent, and its size must be exactly
 * what they describe. PLY and SPZ v4 carry no checksum, so for them only headers and tables are
 * read and a multi-gigabyte file costs a few small reads. SPZ v1-v3, SOG and the ZIP-based model
 * formats carry CRC-32s that catch damage of the right size; checking those streams their data
 * from disk once. A GLB goes through Khronos's validator, loaded only then, which reads it whole.
 */

export { AssetVerificationError, type AssetInfo }

export interface VerifyOptions {
  /**
   * Also check the checksums the format carries: the gzip CRC-32 and length of SPZ v1-v3, the
   * CRC-32 of every SOG entry meta.json names, and of every entry of a ZIP-based model format.
   * This streams those bytes from disk once, in constant memory. Formats without checksums are
   * checked the same either way. On unless turned off.
   */
  deep?: boolean
}

/** Checks a file on disk by content, never holding the whole file in memory. */
export async function verifyAsset(
  filePath: string,
  expected: AssetFormat,
  { deep = true }: VerifyOptions = {}
): Promise<AssetInfo> {
  let file: FileHandle
  try {
    file = await open(filePath, 'r')
  } catch (error) {
    throw new AssetVerificationError(`cannot open the file: ${errorMessage(error)}`)
  }
  try {
    const stat = await file.stat()
    if (!stat.isFile()) fail('not a regular file')
    return await verifyContent(new FileRanges(file, stat.size), expected, deep)
  } catch (error) {
    if (error instanceof AssetVerificationError) throw error
    throw new AssetVerificationError(`cannot read the file: ${errorMessage(error)}`)
  } finally {
    await file.close()
  }
}

async function verifyContent(
  file: FileRanges,
  expected: AssetFormat,
  deep: boolean
): Promise<AssetInfo> {
  if (!isSplatFormat(expected)) return verifyOther(file, expected, deep)
  const head = await file.read(0, SNIFF_BYTES)
  expectFormat(head, file.size, expected)
  if (expected === 'ply') return verifyPly(file)
  if (expected === 'sog') return verifySog(file, deep)
  return head[0] === 0x1f ? verifyGzipSpz(file, head, deep) : verifySpzV4(file)
}

/** Models, their bundles and images: each format's own check, in src/assets/verify/. */
async function verifyOther(
  file: FileRanges,
  expected: Exclude<AssetFormat, SplatFormat>,
  deep: boolean
): Promise<AssetInfo> {
  switch (expected) {
    case 'glb':
      return verifyGlb(file)
    case 'zip':
    case 'obj':
      return verifyZipBundle(file, expected, deep)
    case 'fbx':
      // Lux3D delivers FBX zipped (`_fbx.zip`) or bare (`.fbx`): the first bytes say which.
      return (await isZip(file)) ? verifyZipBundle(file, 'fbx', deep) : verifyFbx(file)
    case 'stl':
      return verifyStl(file)
    case 'image':
      return verifyImage(file)
    case 'usdz':
      return verifyUsdz(file, deep)
    case '3mf':
      return verify3mf(file, deep)
  }
}

async function isZip(file: FileRanges): Promise<boolean> {
  return (await file.read(0, 4)).equals(Buffer.from('PK\x03\x04', 'latin1'))
}
