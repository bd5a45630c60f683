/**
 * `npm run demo`: the bundled action against the simulated services, as a workflow step would
 * run it, once for each API. On the open platform three tasks succeed after moving through the
 * queue and their SPZ files are downloaded and verified, and one task fails. On the World
 * gateway two worlds rise to success with progress, and their PLY files are downloaded. On
 * Lux3D a v3 task, a G1 task and a four-view task succeed with their positional outputs, one
 * fails, and the G1 task's 3DGS PLY is downloaded through a link that had expired. Then the
 * create action starts a world, a re-run reuses it, and the wait action waits for it.
 *
 * Each run first shows its step's `with:` block as a workflow would write it. Headings are bold
 * only on a terminal, and never when NO_COLOR is set (https://no-color.org), so that
 * `npm run demo | cat` or a file holds no escape codes.
 */
import * as path from 'node:path'
import { DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { CREATE_BUNDLE, PROJECT_ROOT, runAction, type ActionRun } from '../sim/runner.js'
import { LUX3D_API_KEY, lux3dTimeline, startLux3dSim } from '../sim/lux3d.js'
import { DEFAULT_API_KEY, risingTimeline, startWorldSim } from '../sim/world.js'

const FIXTURES = path.join(PROJECT_ROOT, '__fixtures__', 'splats')

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

const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
const bold = (text: string): string => (colour ? `\x1b[1m${text}\x1b[0m` : text)

const heading = (text: string): void =>
  console.log(`\n${bold(`── ${text} ${'─'.repeat(Math.max(0, 70 - text.length))}`)}`)

/**
 * The simulated tasks move on every few hundred ms, so each run polls every 300ms and the demo
 * ends in seconds; the action warns about it, as it would in a workflow.
 */
const DEMO_POLL_INTERVAL = '300ms'

/** How a workflow passes what the demo passes in clear: the secrets stay in the repository's settings. */
const AS_A_WORKFLOW_WRITES_IT: Record<string, string> = {
  'app-key': '${{ secrets.AHOLO_APP_KEY }}',
  'app-secret': '${{ secrets.AHOLO_APP_SECRET }}',
  'app-uid': '${{ secrets.AHOLO_APP_UID }}',
  'api-key': '${{ secrets.AHOLO_API_KEY }}'
}

const NOTES: Record<string, string> = {
  'api-url': 'the simulator; a workflow leaves it out',
  'poll-interval': 'the demo only (see the top); a workflow keeps the default, 10s'
}

/** The step's `with:` block, as a workflow would write it, with what only the demo needs marked. */
function showWith(
  label: string,
  inputs: Record<string, string>,
  written: Record<string, string> = {},
  notes: Record<string, string> = {}
): void {
  heading(`${label}: the step's with: block`)
  const shown = { ...inputs, ...AS_A_WORKFLOW_WRITES_IT, ...written }
  const lines = ['with:']
  for (const name of Object.keys(inputs)) {
    const value = shown[name]
    if (value.includes('\n')) {
      lines.push(`  ${name}: |`, ...value.split('\n').map(line => `    ${line}`))
    } else {
      const entry = `  ${name}: ${yamlScalar(value)}`
      const note = notes[name] ?? NOTES[name]
      lines.push(note ? `${entry.padEnd(40)} # ${note}` : entry)
    }
  }
  console.log(lines.join('\n'))
}

/** A one-line value as YAML reads it back: plain where it can be, else quoted. */
function yamlScalar(value: string): string {
  const plain = value !== '' && !/^[\s\-?:,[\]{}#&*!|>'"%@`]|: | #|\s$/.test(value)
  return plain ? value : JSON.stringify(value)
}

/** Shows the step's `with:` block (unless it is the one shown just before), then runs it. */
async function runStep(
  title: string,
  inputs: Record<string, string>,
  options: {
    bundle?: string
    written?: Record<string, string>
    notes?: Record<string, string>
    withShown?: boolean
  } = {}
): Promise<ActionRun> {
  if (!options.withShown) {
    showWith(title.split(':')[0], inputs, options.written, options.notes)
  }
  heading(title)
  return runAction({
    bundle: options.bundle,
    inputs,
    onStdout: text => process.stdout.write(asRunnerShowsIt(text))
  })
}

console.log(
  [
    'The bundled action, run as a workflow step would run it, against simulated services on',
    `127.0.0.1. Each run polls every ${DEMO_POLL_INTERVAL}, since the simulated tasks move on every few`,
    'hundred ms: the action warns that the service asks for 5s or more, as it would in a workflow.'
  ].join('\n')
)

function show(run: ActionRun, exitNote: string, requests: string): void {
  heading(`exit code ${run.exitCode} (${exitNote})`)
  heading('outputs (GITHUB_OUTPUT)')
  for (const [name, value] of Object.entries(run.outputs)) {
    console.log(`${name.padEnd(16)} ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`)
  }
  heading('job summary (GITHUB_STEP_SUMMARY, Markdown)')
  console.log(run.summary)
  heading(`${requests}, ${run.wallMs.toFixed(0)} ms in all`)
}

// 1. The Kujiale open platform: signed batch requests with AppKey, AppSecret and appuid.
const sim = await startAholoSim()
sim
  .addTask('3FO4K4WBNNYV', [0, 0, 8, 2, 2, 3])
  .addTask('3FO4K4WBNNY2', [1, 8, 8, 2, 3])
  .addTask('3FO4K4WBNNZ7', [0, 8, 2, 2, 2, 2, 3])
  .addTask('3FO4K4WBNNQ1', [0, 8, 2, 4])
for (const [taskId, file] of [
  ['3FO4K4WBNNYV', 'v4_1k_sh0.spz'],
  ['3FO4K4WBNNY2', 'v4_1k_sh3.spz'],
  ['3FO4K4WBNNZ7', 'v3_1k_sh3.spz']
]) {
  sim.addAsset(sim.assetPath(taskId, 'spz'), {
    kind: 'file',
    path: path.join(FIXTURES, 'spz', file)
  })
}
const openPlatform = await runStep('open platform: step log (what the runner shows)', {
  'task-ids': '3FO4K4WBNNYV, 3FO4K4WBNNY2\n3FO4K4WBNNZ7 3FO4K4WBNNQ1',
  'app-key': DEFAULT_CREDENTIALS.appKey,
  'app-secret': DEFAULT_CREDENTIALS.appSecret,
  'app-uid': DEFAULT_CREDENTIALS.appUid,
  'api-url': sim.url,
  'poll-interval': DEMO_POLL_INTERVAL,
  timeout: '1m',
  'fail-on': 'any',
  download: 'spz'
})
await sim.close()
show(
  openPlatform,
  'a failed task fails the step under fail-on: any',
  `${sim.apiRequests.length} signed requests to the simulated open platform`
)

// 2. The Aholo World gateway: an API key, world ids, progress, and covers in the summary.
const world = await startWorldSim()
world
  .addWorld('WORLDLOBBY01', { timeline: risingTimeline(600), lod: true, pano: true })
  .addWorld('WORLDGARDEN2', risingTimeline(900))
// Other worlds of the account in progress: the list shows them; the action leaves them alone.
world.addOtherWorlds(12, { status: 'RUNNING' })
for (const worldId of ['WORLDLOBBY01', 'WORLDGARDEN2']) {
  world.addAsset(world.assetPath(worldId, 'ply'), {
    kind: 'file',
    path: path.join(FIXTURES, 'ply', 'st_1k_sh3.ply')
  })
}
const worldRun = await runStep('World gateway: step log (what the runner shows)', {
  'task-ids': 'WORLDLOBBY01 WORLDGARDEN2',
  'api-key': DEFAULT_API_KEY,
  'api-url': world.url,
  'poll-interval': DEMO_POLL_INTERVAL,
  timeout: '1m',
  download: 'ply'
})
await world.close()
show(
  worldRun,
  'every world succeeded',
  `${world.apiRequests.length} requests to the simulated World gateway (lists of in-progress worlds, then a GET of each that left the list)`
)

// 3. Lux3D: the same API key, integer task ids, positional outputs, links that expire.
const lux3d = await startLux3dSim()
lux3d
  .addTask('1389513', {
    timeline: lux3dTimeline(600),
    outputs: { model: 'v3', requested: ['glb'] }
  })
  .addTask('1389514', { timeline: lux3dTimeline(900), outputs: { model: 'G1', ply: true } })
  .addTask('9223372036854775807', { timeline: lux3dTimeline(300), outputs: { model: 'four-view' } })
  .addTask('1389516', lux3dTimeline(600, 4))
lux3d.addFile('1389514', 'gaussian.ply', {
  kind: 'file',
  path: path.join(FIXTURES, 'ply', 'st_1k_sh3.ply')
})
// The first download of the PLY is refused as an expired link: the step asks for the task again.
lux3d.injectFileFaults('1389514', 'gaussian.ply', {
  kind: 'status',
  status: 403,
  body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
})
const lux3dRun = await runStep('Lux3D: step log (what the runner shows)', {
  'task-ids': '1389513 1389514 9223372036854775807 1389516',
  provider: 'lux3d',
  'api-key': LUX3D_API_KEY,
  'api-url': lux3d.url,
  'poll-interval': DEMO_POLL_INTERVAL,
  timeout: '1m',
  'fail-on': 'all',
  download: 'glb ply'
})
await lux3d.close()
show(
  lux3dRun,
  'fail-on: all passes while any task succeeded',
  `${lux3d.apiRequests.length} requests to the simulated Lux3D API (a GET of each unfinished task per round, fewer than its two lists would cost)`
)

// 4. The create action, then the wait: a reconstruction from 20 public photo links; a re-run
//    reuses the world it made (found by the tag in its name); the wait action takes its outputs.
const gateway = await startWorldSim({ createdTimeline: risingTimeline(600) })
const createInputs = {
  job: 'reconstruction',
  'api-key': DEFAULT_API_KEY,
  'api-url': gateway.url,
  urls: Array.from({ length: 20 }, (_, i) => `https://cdn.example.com/lobby/${i}.jpg`).join('\n'),
  scene: 'space',
  name: 'Lobby'
}
const created = await runStep('create action: step log (what the runner shows)', createInputs, {
  bundle: CREATE_BUNDLE
})
show(
  created,
  'one world made',
  `${gateway.apiRequests.length} requests to the simulated World gateway`
)
const again = await runStep(
  'create action again, with the same with: block: the world is reused, nothing is paid twice',
  createInputs,
  { bundle: CREATE_BUNDLE, withShown: true }
)
show(again, 'the same world, reused', `${gateway.created.length} world made in all`)
for (const { worldId } of gateway.created) {
  gateway.addAsset(gateway.assetPath(worldId, 'ply'), {
    kind: 'file',
    path: path.join(FIXTURES, 'ply', 'st_1k_sh3.ply')
  })
}
const waited = await runStep(
  "wait action on the create action's outputs: step log",
  {
    'task-ids': again.outputs['task-ids'],
    provider: again.outputs.provider,
    'api-key': DEFAULT_API_KEY,
    'api-url': gateway.url,
    'poll-interval': DEMO_POLL_INTERVAL,
    timeout: '1m',
    download: 'ply'
  },
  {
    // The create step's outputs, as the next step of the job reads them.
    written: {
      'task-ids': '${{ steps.create.outputs.task-ids }}',
      provider: '${{ steps.create.outputs.provider }}'
    },
    notes: { 'task-ids': 'the create step has id: create' }
  }
)
await gateway.close()
show(waited, 'the world succeeded', `${gateway.apiRequests.length} requests in all`)
