/** The `results-file` output's file: the full `results`, however many tasks there are. */
import { mkdirSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** Under RUNNER_TEMP (emptied after each job), one file per step of the job. */
export function resultsFilePath(env: NodeJS.ProcessEnv): string {
  const root = env.RUNNER_TEMP || os.tmpdir()
  const step = (env.GITHUB_ACTION || 'aholo').replace(/[^A-Za-z0-9._-]/g, '_')
  return path.join(root, 'aholo-task-action', `${step}-${process.pid}-results.json`)
}

export function writeResultsFile(file: string, json: string): void {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, json)
}
