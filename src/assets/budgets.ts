/**
 * The budgets of a publishing gate (`max-gaussians`, `max-triangles`, `max-file-size`), checked against every
 * delivered file after verification. Pure: a file's figures in, the reason it is over out.
 * A file exactly at a limit is within it.
 */
import { sentence } from '../errors.js'
import { type AssetFormat, formatLabel } from '../domain/formats.js'
import { formatBytes } from '../units.js'

export interface Budgets {
  /** Splats per file; undefined for no limit. */
  maxGaussians?: number
  /** Triangles per mesh file (GLB, STL); undefined for no limit. */
  maxTriangles?: number
  /** Bytes per file; undefined for no limit. */
  maxFileSizeBytes?: number
}

/** What a budget needs to know of a file. */
export interface BudgetedFile {
  /** Absent for a file that holds no splats. */
  gaussians?: number
  /** Absent for a file whose triangles are not counted (only GLB and STL are). */
  triangles?: number
  bytes: number
}

/**
 * Why the file is over a budget, e.g. `5,120,000 splats, over 'max-gaussians' of 4,000,000`;
 * every reason, joined by `; `, when it is over several; undefined when it is within every budget.
 */
export function overBudget(file: BudgetedFile, budgets: Budgets): string | undefined {
  const reasons: string[] = []
  const { maxGaussians, maxTriangles, maxFileSizeBytes } = budgets
  if (maxGaussians !== undefined && file.gaussians !== undefined && file.gaussians > maxGaussians) {
    reasons.push(`${count(file.gaussians)} splats, over 'max-gaussians' of ${count(maxGaussians)}`)
  }
  if (maxTriangles !== undefined && file.triangles !== undefined && file.triangles > maxTriangles) {
    reasons.push(
      `${count(file.triangles)} triangles, over 'max-triangles' of ${count(maxTriangles)}`
    )
  }
  if (maxFileSizeBytes !== undefined && file.bytes > maxFileSizeBytes) {
    reasons.push(overFileSize(file.bytes, maxFileSizeBytes))
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined
}

/** `244 KiB (250,000 bytes), over 'max-file-size' of 1.0 KiB (1,024 bytes)` */
export function overFileSize(bytes: number, maxBytes: number, received = false): string {
  const what = received ? `more than ${size(maxBytes)} received` : size(bytes)
  return `${what}, over 'max-file-size' of ${size(maxBytes)}`
}

/**
 * A download stopped as soon as its length (`announced`: Content-Length or Content-Range), or the
 * bytes received, passed `max-file-size`: nothing more is fetched, kept or cached.
 */
export class OverSizeError extends Error {
  override readonly name = 'OverSizeError'

  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
    readonly how: 'announced' | 'received'
  ) {
    super(overFileSize(bytes, maxBytes, how === 'received'))
  }
}

/** The sentence that fails the step: `Task T1, SPZ: <reason>.` */
export function describeOverBudget(taskId: string, format: AssetFormat, reason: string): string {
  return sentence(`Task ${taskId}, ${formatLabel(format)}: ${reason}`)
}

function count(value: number): string {
  return value.toLocaleString('en-US')
}

// Rounded for reading, exact for comparing: `150,000,000` bytes shows as 143 MiB.
function size(bytes: number): string {
  return `${formatBytes(bytes)} (${count(bytes)} bytes)`
}
