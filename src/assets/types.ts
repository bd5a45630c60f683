import type { AssetInfo } from './verify/result.js'

/**
 * A downloaded and verified asset, as reported in `results[].files`: what verification read
 * (the format, its version, splats or triangles or pixels), and where the file is.
 */
export interface AssetFile extends AssetInfo {
  /** Absolute path on the runner. */
  path: string
  bytes: number
  sha256: string
  /** Placed from the runner's tool cache, not downloaded; absent when downloaded. */
  reused?: true
  /**
   * Why the file is over a budget (`max-gaussians`, `max-triangles`, `max-file-size`), e.g.
   * `5,120,000 splats, over 'max-gaussians' of 4,000,000`; absent when within every budget. Such
   * a file fails the step.
   */
  overBudget?: string
}

/** The file's figures in a few words: `1,000 splats`, `12,480 triangles`, `1024×768`. */
export function describeFigures(file: AssetInfo): string {
  if (file.gaussians !== undefined) return `${file.gaussians.toLocaleString('en-US')} splats`
  if (file.triangles !== undefined) return `${file.triangles.toLocaleString('en-US')} triangles`
  if (file.width !== undefined && file.height !== undefined) return `${file.width}×${file.height}`
  return file.version
}
