import { type FileRanges } from './file-ranges.js'
import { AssetVerificationError, fail, type AssetInfo } from './result.js'
import { article, notTheFormat, SNIFF_BYTES, startsWith } from './sniff.js'
import { startsAsFbx } from './fbx.js'
import { quoteBytes } from './text.js'
import {
  readEntryStart,
  readZipDirectory,
  type ZipDirectory,
  type ZipEntry,
  type ZipKind
} from './zip.js'
import { checkEveryEntry } from './zip-check.js'

/**
 * Checks a ZIP the service delivers: a bundle of a task's files (`zip`), a zipped OBJ (`obj`, its
 * `.obj` with materials and textures) or a zipped FBX. The directory must account for the whole
 * file, every local header must be where it says, and with `deep` every entry's CRC-32 and sizes
 * are checked by streaming it once. The model archives must hold their model file, and its start
 * must be one: an FBX header, or OBJ text (no NUL bytes).
 */

const ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04]
/** Read from the model inside: enough for FBX's 27-byte header, and for OBJ to show it is text. */
const START_BYTES = 512

/** The ZIP-based formats whose names alone say what they hold. */
export type ZipBundleFormat = 'zip' | 'obj' | 'fbx'

const HOLDS: Record<ZipBundleFormat, string | undefined> = {
  zip: undefined,
  obj: '.obj',
  fbx: '.fbx'
}

export function zipKind(label: string): ZipKind {
  return {
    one: `${article(label)} ${label} file`,
    many: `${label} files`,
    readers: 'the checks here'
  }
}

/** Reads the directory of a ZIP-based file, failing with `label` in the words when it is none. */
export async function openZip(file: FileRanges, label: string): Promise<ZipDirectory> {
  const head = await file.read(0, SNIFF_BYTES)
  if (!startsWith(head, ZIP_LOCAL_MAGIC)) {
    notTheFormat(head, file.size, label, 'a ZIP archive starts with "PK\\x03\\x04"')
  }
  const zip = await readZipDirectory(file, zipKind(label))
  if (zip.entries.size === 0) fail(`an empty ZIP archive: ${label} holds at least one file`)
  return zip
}

export async function verifyZipBundle(
  file: FileRanges,
  format: ZipBundleFormat,
  deep: boolean
): Promise<AssetInfo> {
  const label = format === 'zip' ? 'ZIP' : `zipped ${format.toUpperCase()}`
  const zip = await openZip(file, label)
  const extension = HOLDS[format]
  if (extension !== undefined) {
    const model = findByExtension(zip, extension)
    if (model === undefined) {
      fail(`no ${extension} file in the ${label} archive (it holds ${listNames(zip)})`)
    }
    const start = await readModelStart(file, zip, model)
    if (format === 'fbx' ? !startsAsFbx(start) : start.includes(0)) {
      const is = format === 'fbx' ? 'an FBX file' : 'OBJ text'
      fail(`"${model.name}" is not ${is} (starts with ${quoteBytes(start.subarray(0, 24))})`)
    }
  }
  await checkEveryEntry(file, zip, deep)
  return { format, version: format === 'zip' ? 'zip' : `${format}-zip` }
}

async function readModelStart(file: FileRanges, zip: ZipDirectory, model: ZipEntry) {
  try {
    return await readEntryStart(file, zip, model, START_BYTES)
  } catch (error) {
    if (error instanceof AssetVerificationError) fail(`"${model.name}": ${error.reason}`)
    throw error
  }
}

export function findByExtension(zip: ZipDirectory, extension: string): ZipEntry | undefined {
  return [...zip.entries.values()].find(entry => entry.name.toLowerCase().endsWith(extension))
}

/** Up to five names, quoted, for a message. */
export function listNames(zip: ZipDirectory): string {
  const names = [...zip.entries.keys()]
  const shown = names
    .slice(0, 5)
    .map(name => JSON.stringify(name))
    .join(', ')
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown
}
