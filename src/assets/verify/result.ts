import type { AssetFormat } from '../../domain/formats.js'

/** What verification read from a file; a figure the format does not carry is absent. */
export interface AssetInfo {
  format: AssetFormat
  /**
   * The format's version or variant: `ply-3dgs`, `ply-compressed`, `spz-v1`..`spz-v4`, `sog-v1`,
   * `sog-v2`, `glb-v2`, `stl-binary`, `png`, …
   */
  version: string
  /** Splats (PLY, SPZ, SOG). */
  gaussians?: number
  /** Spherical-harmonics degree of the splats. */
  shDegree?: number
  /** Triangles and vertices of a mesh (GLB, STL). */
  triangles?: number
  vertices?: number
  /** Pixels of an image. */
  width?: number
  height?: number
}

/** The file is not a usable asset; `reason` says why, in words meant for the user. */
export class AssetVerificationError extends Error {
  readonly reason: string

  constructor(reason: string) {
    super(reason)
    this.name = 'AssetVerificationError'
    this.reason = reason
  }
}

export function fail(reason: string): never {
  throw new AssetVerificationError(reason)
}
