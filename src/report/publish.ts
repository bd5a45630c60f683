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
import { buildOutputs, fitOutputs, type Outputs, taskResults } from './outputs.js'
import { writeResultsFile } from './results-file.js'

/**
 * Sets every output and writes `results-file`, within GitHub's limits. With `previous`, only
 * when something changed: outputs are written once when the wait ends, and again only if the
 * downloads (or a late check run) changed them. Returns what was written.
 */
export function publishOutputs(
  io: GuardedIO,
  resultsFile: string,
  state: OverallState,
  tasks: readonly TaskRecord[],
  delivered: Delivery | undefined,
  extras: { checkRunUrl?: string },
  previous?: Outputs
): Outputs {
  const results = taskResults(tasks, delivered?.files)
  const full = buildOutputs(state, tasks, results, io.redactor, {
    resultsFile,
    downloadDir: delivered?.downloadDir,
    artifact: delivered?.artifact,
    checkRunUrl: extras.checkRunUrl
  })
  if (previous && sameOutputs(previous, full)) return previous
  writeResultsFile(resultsFile, full.results)
  const { outputs, shortened } = fitOutputs(full)
  for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value)
  if (shortened.length > 0 && !previous) {
    io.warning(
      `Some outputs were shortened to stay under GitHub's limit of 1 MB of outputs per job: ${shortened.join('; ')}. The full results are in the file named by the 'results-file' output (${resultsFile}).`
    )
  }
  // The full values, so that the next comparison sees what changed, not what was cut.
  return full
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
