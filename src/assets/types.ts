import type { AssetFormat } from '../domain/formats.js'

/** A downloaded and verified asset, as reported in `results[].files`. */
export interface AssetFile {
  format: AssetFormat
  /** Absolute path on the runner. */
  path: string
  bytes: number
  sha256: string
  /** Splat count read from the file. */
  gaussians: number
  /** Format version or variant, e.g. `spz-v4`, `ply-3dgs`, `ply-compressed`, `sog-v2`. */
  version: string
  shDegree: number
}
