import { type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { entryDataOffset } from './zip.js'
import { openZip } from './zip-bundle.js'
import { checkEveryEntry } from './zip-check.js'

/**
 * Checks a USDZ: a ZIP whose entries are stored, never compressed, with each entry's data starting
 * on a 64-byte boundary, so that readers map the layers straight from the file; the first entry is
 * the USD layer a reader opens (`.usdc`, `.usda` or `.usd`). Then every entry as for any ZIP.
 */

const ALIGNMENT = 64
const LAYER = /\.(usdc|usda|usd)$/i

export async function verifyUsdz(file: FileRanges, deep: boolean): Promise<AssetInfo> {
  const zip = await openZip(file, 'USDZ')
  const entries = [...zip.entries.values()].sort(
    (a, b) => a.localHeaderOffset - b.localHeaderOffset
  )
  if (!LAYER.test(entries[0].name)) {
    fail(
      `the first entry of a USDZ is its .usdc, .usda or .usd layer; this one is "${entries[0].name}"`
    )
  }
  for (const entry of entries) {
    if (entry.method !== 0) {
      fail(`"${entry.name}" is compressed (ZIP method ${entry.method}); USDZ entries are stored`)
    }
    const offset = await entryDataOffset(file, zip, entry)
    if (offset % ALIGNMENT !== 0) {
      fail(
        `the data of "${entry.name}" starts at byte ${offset}, not on a 64-byte boundary as USDZ requires`
      )
    }
  }
  await checkEveryEntry(file, zip, deep)
  return { format: 'usdz', version: 'usdz' }
}
