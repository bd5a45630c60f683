import { fail } from './result.js'
import { SH_COEFFICIENTS } from './sh-degree.js'

/** The attribute blocks every SPZ version stores, in file order. */
export const SPZ_ATTRIBUTES = [
  'positions',
  'alphas',
  'colours',
  'scales',
  'rotations',
  'spherical harmonics'
]

/** Bytes per splat in each attribute block, in file order. */
export function spzAttributeBytes(version: number, shDegree: number): number[] {
  const positions = version === 1 ? 6 : 9 // v1 stored float16 positions, later versions 24-bit fixed point
  const rotations = version >= 3 ? 4 : 3
  return [positions, 1, 3, 3, rotations, 3 * SH_COEFFICIENTS[shDegree]]
}

export function checkShDegree(shDegree: number): void {
  if (shDegree >= SH_COEFFICIENTS.length) {
    fail(`SPZ header gives SH degree ${shDegree}; SPZ allows 0-4`)
  }
}
