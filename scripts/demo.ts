/**
 * `npm run demo`: the bundled action against the simulated Aholo service, as a workflow step
 * would run it. Three tasks succeed after moving through the queue, and their SPZ files are
 * downloaded and verified; one task fails.
 */
import * as path from 'node:path'
import { DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { PROJECT_ROOT, runAction } from '../sim/runner.js'

const sim = await startAholoSim()
sim
  .addTask('3FO4K4WBNNYV', [0, 0, 8, 2, 2, 3])
  .addTask('3FO4K4WBNNY2', [1, 8, 8, 2, 3])
  .addTask('3FO4K4WBNNZ7', [0, 8, 2, 2, 2, 2, 3])
  .addTask('3FO4K4WBNNQ1', [0, 8, 2, 4])
// The succeeded tasks' SPZ files are real ones, downloaded and verified by the action.
for (const [taskId, file] of [
  ['3FO4K4WBNNYV', 'v4_1k_sh0.spz'],
  ['3FO4K4WBNNY2', 'v4_1k_sh3.spz'],
  ['3FO4K4WBNNZ7', 'v3_1k_sh3.spz']
]) {
  sim.addAsset(sim.assetPath(taskId, 'spz'), {
    kind: 'file',
    path: path.join(PROJECT_ROOT, '__fixtures__', 'splats', 'spz', file)
  })
}

/** The runner hides debug lines and masking commands and shows workflow commands as labels. */
function asRunnerShowsIt(text: string): string {
  return text
    .split('\n')
    .filter(line => !line.startsWith('::debug::') && !line.startsWith('::add-mask::'))
    .map(line =>
      line
        .replace(/^::group::/, '▼ ')
        .replace(/^::endgroup::$/, '▲')
        .replace(
          /^::(error|warning|notice)::/,
          (_, kind: string) => `${kind[0].toUpperCase()}${kind.slice(1)}: `
        )
    )
    .join('\n')
}

const heading = (text: string): void =>
  console.log(`\n\x1b[1m── ${text} ${'─'.repeat(Math.max(0, 70 - text.length))}\x1b[0m`)
heading('step log (what the runner shows)')
const run = await runAction({
  inputs: {
    'task-ids': '3FO4K4WBNNYV, 3FO4K4WBNNY2\n3FO4K4WBNNZ7 3FO4K4WBNNQ1',
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'poll-interval': '300ms',
    timeout: '1m',
    'fail-on': 'any',
    download: 'spz'
  },
  onStdout: text => process.stdout.write(asRunnerShowsIt(text))
})
await sim.close()

heading(`exit code ${run.exitCode} (a failed task fails the step under fail-on: any)`)
heading('outputs (GITHUB_OUTPUT)')
for (const [name, value] of Object.entries(run.outputs)) {
  console.log(`${name.padEnd(16)} ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`)
}
heading('job summary (GITHUB_STEP_SUMMARY, Markdown)')
console.log(run.summary)
heading(
  `${sim.apiRequests.length} signed requests to the simulated service, ${run.wallMs.toFixed(0)} ms in all`
)
