import { type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { parseSogMeta } from './sog-meta.js'
import { readWebpHeader, WEBP_HEADER_BYTES } from './webp.js'
import { readEntryStart, readWholeEntry, readZipDirectory, type ZipEntry } from './zip.js'
import { checkEntryBytes, checkEntryChecksum } from './zip-check.js'

/**
 * Checks a SOG bundle (a ZIP of meta.json and WebP images): the ZIP directory, meta.json, and the
 * header of every image it names, whose size must match its entry and whose pixels cover the splats.
 * `deep` then streams meta.json and every image it names for their CRC-32s, once the cheap checks
 * have passed, so that a clearer reason found by those is the one reported.
 */
export async function verifySog(file: FileRanges, deep: boolean): Promise<AssetInfo> {
  const zip = await readZipDirectory(file)
  const metaEntry = zip.entries.get('meta.json')
  if (!metaEntry) fail('no meta.json in the SOG bundle')
  const metaBytes = await readWholeEntry(file, zip, metaEntry)
  const meta = parseSogMeta(metaBytes)

  const images: ZipEntry[] = []
  for (const texture of meta.textures) {
    const entry = zip.entries.get(texture.name)
    if (!entry) fail(`meta.json names "${texture.name}", which is not in the SOG bundle`)
    images.push(entry)
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
  if (deep) {
    checkEntryBytes(metaEntry, metaBytes)
    // A name listed twice in meta.json is one entry, streamed once.
    for (const entry of new Set(images)) await checkEntryChecksum(file, zip, entry)
  }
  return {
    format: 'sog',
    gaussians: meta.count,
    version: `sog-v${meta.version}`,
    shDegree: meta.shDegree
  }
}
