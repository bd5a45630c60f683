/**
 * The file formats the services deliver, and the words each one goes by. Said once, here.
 * Gaussian splats come from every API; 3D models, their bundles and images from Lux3D.
 */
export const SPLAT_FORMATS = ['ply', 'spz', 'sog'] as const
export type SplatFormat = (typeof SPLAT_FORMATS)[number]

/** 3D models (meshes): GLB, USDZ, OBJ and FBX (zipped or bare), STL and 3MF. */
export const MODEL_FORMATS = ['glb', 'usdz', 'obj', 'fbx', 'stl', '3mf'] as const
export type ModelFormat = (typeof MODEL_FORMATS)[number]

/** Every format the action can download and verify, in the order `download: all` lists them. */
export const ASSET_FORMATS = [...SPLAT_FORMATS, ...MODEL_FORMATS, 'zip', 'image'] as const
export type AssetFormat = (typeof ASSET_FORMATS)[number]

/** What a URL holds: a known format, or `other` (kept in `results`, never downloaded). */
export type AssetKind = AssetFormat | 'other'

/** One file a task delivers, in the service's order. */
export interface AssetLink {
  format: AssetKind
  url: string
}

/** The key of a splat format's URL in a task's result and in `results[]` (the vendor's names). */
export const URL_KEYS = {
  ply: 'plyPath',
  spz: 'spzPath',
  sog: 'sogPath'
} as const satisfies Record<SplatFormat, string>
export type UrlKey = (typeof URL_KEYS)[SplatFormat]

/** A task's splat URLs, by result key; a format the service did not give is absent. */
export type AssetUrls = Partial<Record<UrlKey, string>>

export function isSplatFormat(format: AssetKind): format is SplatFormat {
  return (SPLAT_FORMATS as readonly string[]).includes(format)
}

/** `PLY`, `GLB`, `3MF`, `image`: how logs, the summary and messages name a format. */
export function formatLabel(format: AssetKind): string {
  return format === 'image' || format === 'other' ? format : format.toUpperCase()
}

/** The first URL of each splat format among `assets`: the `plyPath`-style keys of `results[]`. */
export function splatUrls(assets: readonly AssetLink[]): AssetUrls {
  const urls: AssetUrls = {}
  for (const format of SPLAT_FORMATS) {
    const url = assets.find(asset => asset.format === format)?.url
    if (url) urls[URL_KEYS[format]] = url
  }
  return urls
}

/** The links of a result that names its splat files by key (the open platform, World). */
export function linksOfUrls(urls: AssetUrls): AssetLink[] {
  return SPLAT_FORMATS.flatMap(format => {
    const url = urls[URL_KEYS[format]]
    return url ? [{ format, url }] : []
  })
}
