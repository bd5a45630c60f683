/** Spherical-harmonic coefficients per colour channel for SH degrees 0..4. */
export const SH_COEFFICIENTS = [0, 3, 8, 15, 24]

/** PLY's f_rest_* and SOG v1's shN.shape[1] count all three channels, for degrees 0..3. */
const DEGREE_OF_REST_COUNT = new Map(
  SH_COEFFICIENTS.slice(0, 4).map((perChannel, degree) => [3 * perChannel, degree])
)

/** The SH degree (0-3) of a splat with `count` non-DC coefficients, or undefined for any other count. */
export const shDegreeOfRestCount = (count: number): number | undefined =>
  DEGREE_OF_REST_COUNT.get(count)
