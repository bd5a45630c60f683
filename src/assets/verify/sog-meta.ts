import { fail } from './result.js'
import { shDegreeOfRestCount } from './sh-degree.js'
import { errorMessage } from '../../errors.js'
import { isRecord } from '../../domain/json.js'

export interface SogTexture {
  name: string
  /** One pixel per splat, so it must have at least `count` pixels. */
  perSplat: boolean
}

export interface SogMeta {
  version: 1 | 2
  count: number
  shDegree: number
  textures: SogTexture[]
}

/** Reads a SOG's meta.json (version 1 or 2): the splat count, SH degree and the images it names. */
export function parseSogMeta(bytes: Buffer): SogMeta {
  let meta: unknown
  try {
    meta = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    fail(`meta.json is not valid JSON: ${errorMessage(error)}`)
  }
  if (!isRecord(meta)) fail('meta.json is not a JSON object')

  const textures: SogTexture[] = []
  for (const section of ['means', 'scales', 'quats', 'sh0']) {
    for (const name of sectionFiles(meta, section)) textures.push({ name, perSplat: true })
  }
  const shN = meta.shN
  if (shN !== undefined) {
    const [centroids, labels, ...rest] = sectionFiles(meta, 'shN')
    if (labels === undefined) {
      fail('meta.json lists no shN labels image (shN.files needs two images)')
    }
    textures.push({ name: centroids, perSplat: false }, { name: labels, perSplat: true })
    for (const name of rest) textures.push({ name, perSplat: false })
  }

  if (meta.version === undefined) {
    // Version 1 had no version field and no count: the count is the first dimension of means.
    const count = (
      isRecord(meta.means) && Array.isArray(meta.means.shape) ? meta.means.shape : []
    )[0]
    const fRest = isRecord(shN) && Array.isArray(shN.shape) ? shN.shape[1] : undefined
    const shDegree = shN === undefined ? 0 : shDegreeOfRestCount(Number(fRest)) || undefined
    if (!isCount(count)) fail('meta.json (SOG version 1) has no valid means.shape[0] splat count')
    if (shDegree === undefined) {
      fail('meta.json (SOG version 1) has shN without a valid shN.shape[1] (9, 24 or 45)')
    }
    return { version: 1, count, shDegree, textures }
  }
  if (meta.version !== 2) fail(`unsupported SOG meta.json version ${JSON.stringify(meta.version)}`)
  if (!isCount(meta.count)) fail('meta.json has no valid "count"')
  let shDegree = 0
  if (shN !== undefined) {
    const bands = isRecord(shN) ? shN.bands : undefined
    if (bands !== 1 && bands !== 2 && bands !== 3) {
      fail('meta.json has shN without a valid shN.bands (1, 2 or 3)')
    }
    shDegree = bands
  }
  return { version: 2, count: meta.count, shDegree, textures }
}

const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0

function sectionFiles(meta: Record<string, unknown>, section: string): string[] {
  const value = meta[section]
  const files = isRecord(value) ? value.files : undefined
  if (
    !Array.isArray(files) ||
    files.length === 0 ||
    !files.every(name => typeof name === 'string')
  ) {
    fail(`meta.json has no "${section}.files" list of image names`)
  }
  return files
}
