import { type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { listNames, openZip } from './zip-bundle.js'
import { checkEveryEntry } from './zip-check.js'

/**
 * Checks a 3MF: an OPC package (a ZIP) that holds `[Content_Types].xml` and the model part
 * `3D/3dmodel.model`. OPC part names are case-insensitive, so they are compared in lower case.
 * Then every entry as for any ZIP.
 */

const REQUIRED = ['[Content_Types].xml', '3D/3dmodel.model']

export async function verify3mf(file: FileRanges, deep: boolean): Promise<AssetInfo> {
  const zip = await openZip(file, '3MF')
  const names = new Set([...zip.entries.keys()].map(name => name.toLowerCase()))
  for (const part of REQUIRED) {
    if (!names.has(part.toLowerCase())) {
      fail(`no ${part} in the 3MF package (it holds ${listNames(zip)})`)
    }
  }
  await checkEveryEntry(file, zip, deep)
  return { format: '3mf', version: '3mf' }
}
