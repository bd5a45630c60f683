/**
 * The step's outputs, `results-file` and the job summary, written through the ActionIO port
 * within GitHub's limits.
 */
import type { ActionIO } from '../action-io.js'
import type { GuardedIO } from './guarded-io.js'
import type { Delivery } from '../assets/deliver.js'
import { describeError } from '../errors.js'
import type { TaskRecord } from '../poll.js'
import type { OverallState } from './outcome.js'
import { matrixShortfall } from './matrix.js'
import { buildOutputs, fitOutputs, type Outputs, taskResults } from './outputs.js'
import { writeResultsFile } from './results-file.js'

/**
 * Sets every output and writes `results-file`, within GitHub's limits. With `previous`, only
 * when something changed: outputs are written once when the wait ends, and again only if the
 * downloads (or a late check run) changed them. Returns what was written.
 *
 * Nothing here may cost the step its `state` or its summary: `state` is set first, each output
 * on its own, and `results-file` last, so that a full or read-only RUNNER_TEMP, or an output
 * that cannot be built, ends in a warning that names it.
 */
export function publishOutputs(
  io: GuardedIO,
  resultsFile: string,
  state: OverallState,
  tasks: readonly TaskRecord[],
  delivered: Delivery | undefined,
  extras: { checkRunUrl?: string },
  previous?: Outputs
): Outputs | undefined {
  let full: Outputs
  let fitted: ReturnType<typeof fitOutputs>
  try {
    const results = taskResults(tasks, delivered?.files)
    full = buildOutputs(state, tasks, results, io.redactor, {
      resultsFile,
      downloadDir: delivered?.downloadDir,
      artifact: delivered?.artifact,
      checkRunUrl: extras.checkRunUrl
    })
    if (previous && sameOutputs(previous, full)) return previous
    fitted = fitOutputs(full)
  } catch (error) {
    setEach(io, { state })
    io.warning(`Could not make the outputs (${describeError(error)}); only 'state' is set.`)
    return previous
  }
  const { outputs, shortened } = fitted
  setEach(io, outputs)
  if (!previous) {
    // One warning for everything left out, pointing at the file that has it all.
    const succeeded = tasks.filter(task => task.state === 'succeeded').length
    const notes = [
      shortened.length > 0
        ? `Some outputs were shortened to stay under GitHub's limit of 1 MB of outputs per job: ${shortened.join('; ')}.`
        : undefined,
      matrixShortfall(outputs.matrix, succeeded)
    ].filter(note => note !== undefined)
    if (notes.length > 0) {
      io.warning(
        `${notes.join(' ')} The full results are in the file named by the 'results-file' output (${resultsFile}).`
      )
    }
  }
  try {
    writeResultsFile(resultsFile, full.results)
  } catch (error) {
    io.warning(
      `Could not write 'results-file' (${resultsFile}), which lives under RUNNER_TEMP: ${describeError(error)}. The other outputs and the job summary are written.`
    )
  }
  // The full values, so that the next comparison sees what changed, not what was cut.
  return full
}

/**
 * Sets each output on its own, `state` first: one that fails (the output file gone) spares the
 * others.
 */
function setEach(io: GuardedIO, outputs: Partial<Record<string, string>>): void {
  const failed: string[] = []
  let reason = ''
  const names = Object.keys(outputs).sort((a, b) => Number(b === 'state') - Number(a === 'state'))
  for (const name of names) {
    const value = outputs[name]
    try {
      io.setOutput(name, value ?? '')
    } catch (error) {
      failed.push(name)
      reason = describeError(error)
    }
  }
  if (failed.length > 0) io.warning(`Could not set the outputs ${failed.join(', ')}: ${reason}`)
}

function sameOutputs(a: Outputs, b: Outputs): boolean {
  return (Object.keys(a) as Array<keyof Outputs>).every(name => a[name] === b[name])
}

export function finishedTimes(tasks: readonly TaskRecord[]): Map<string, number> {
  return new Map(
    tasks.flatMap(task =>
      task.finishedAfterMs === undefined ? [] : [[task.taskId, task.finishedAfterMs] as const]
    )
  )
}

export async function writeSummary(
  io: Pick<ActionIO, 'writeSummary' | 'debug' | 'warning'>,
  markdown: string
): Promise<void> {
  try {
    if (!(await io.writeSummary(markdown)))
      io.debug('GITHUB_STEP_SUMMARY is not set; no job summary written.')
  } catch (error) {
    io.warning(`Could not write the job summary: ${describeError(error)}`)
  }
}
