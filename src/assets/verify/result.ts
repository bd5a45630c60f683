import type { AssetFormat } from '../../domain/formats.js'

export interface AssetInfo {
  format: AssetFormat
  /** Splat count read from the file. */
  gaussians: number
  /** `ply-3dgs`, `ply-compressed`, `spz-v1`..`spz-v4`, `sog-v1`, `sog-v2`. */
  version: string
  shDegree: number
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
