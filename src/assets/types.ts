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
  /** Placed from the runner's tool cache, not downloaded; absent when downloaded. */
  reused?: true
  /**
   * Why the file is over `max-gaussians` or `max-file-size`, e.g. `5,120,000 splats, over
   * 'max-gaussians' of 4,000,000`; absent when within every budget. Such a file fails the step.
   */
  overBudget?: string
}
