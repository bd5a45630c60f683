/**
 * The `matrix` output: `{"include": [...]}`, one entry per succeeded task, for
 * `strategy.matrix: ${{ fromJSON(...) }}`, within GitHub's 256 jobs per matrix. Pure.
 */
import { type AssetFormat, ASSET_FORMATS } from '../domain/formats.js'
import type { TaskResult } from './outputs.js'

/** GitHub runs at most 256 jobs from one matrix; a longer `include` fails the workflow. */
export const MATRIX_MAX_ENTRIES = 256

/** One matrix job: `matrix.task-id`, `matrix.state`, `matrix.ply-url` and the like. */
export type MatrixEntry = { 'task-id': string; state: string } & Partial<
  Record<`${AssetFormat}-url`, string>
>

/** The empty matrix, exactly: a workflow's `if:` may compare the output with this text. */
export const EMPTY_MATRIX = '{"include":[]}'

/**
 * The first MATRIX_MAX_ENTRIES succeeded tasks, in input order, each with the first URL of
 * every format it delivers, as the `*-url` outputs name them. Always an object with an
 * `include` array: EMPTY_MATRIX for none. fitOutputs may leave out more at its tail.
 */
export function buildMatrix(results: readonly TaskResult[]): string {
  const succeeded = results.filter(result => result.state === 'succeeded')
  return JSON.stringify({ include: succeeded.slice(0, MATRIX_MAX_ENTRIES).map(matrixEntry) })
}

function matrixEntry(result: TaskResult): MatrixEntry {
  const entry: MatrixEntry = { 'task-id': result.taskId, state: result.state }
  for (const format of ASSET_FORMATS) {
    const url = result.assets.find(asset => asset.format === format)?.url
    if (url) entry[`${format}-url`] = url
  }
  return entry
}

/**
 * What the matrix left out, as a sentence for the step's one warning about shortened outputs,
 * from `matrix` (the output's value) and the number of succeeded tasks; undefined when it holds
 * them all.
 */
export function matrixShortfall(matrix: string, succeeded: number): string | undefined {
  const kept = (JSON.parse(matrix) as { include: unknown[] }).include.length
  if (kept >= succeeded) return undefined
  const left = succeeded - kept
  const why =
    kept === MATRIX_MAX_ENTRIES
      ? `a matrix runs at most ${MATRIX_MAX_ENTRIES} jobs`
      : `the rest did not fit under GitHub's limit of 1 MB of outputs per job`
  return `The 'matrix' output holds the first ${kept} of ${succeeded} succeeded tasks (${why}): ${left} ${left === 1 ? 'was' : 'were'} left out.`
}
