/** The splat formats the services deliver, and the words each one goes by. Said once, here. */
export const ASSET_FORMATS = ['ply', 'spz', 'sog'] as const
export type AssetFormat = (typeof ASSET_FORMATS)[number]

/** The key of a format's URL in a task's result and in `results[]`. */
export const URL_KEYS = {
  ply: 'plyPath',
  spz: 'spzPath',
  sog: 'sogPath'
} as const satisfies Record<AssetFormat, string>
export type UrlKey = (typeof URL_KEYS)[AssetFormat]

/** A task's asset URLs, by result key; a format the service did not give is absent. */
export type AssetUrls = Partial<Record<UrlKey, string>>

/** `PLY`, `SPZ`, `SOG`: how logs, the summary and messages name a format. */
export function formatLabel(format: AssetFormat): string {
  return format.toUpperCase()
}
