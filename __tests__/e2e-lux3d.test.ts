/**
 * The bundle with `provider: lux3d`, run as the runner runs it, against the simulated Lux3D API.
 * Needs `npm run build` first (CI rebuilds dist/ and fails on any difference).
 */
import { existsSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { BUNDLE, runAction } from '../sim/runner.js'
import { LUX3D_API_KEY, type Lux3dSim, lux3dTimeline, startLux3dSim } from '../sim/lux3d.js'

const EXPIRED_PAGE =
  '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
const BIG_ID = '9223372036854775807'
let sim: Lux3dSim

beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first.`)
})
beforeEach(async () => {
  sim = await startLux3dSim()
})
afterEach(async () => {
  await sim.close()
})

const node24 =
  process.env.NODE24_BIN ?? (process.versions.node.startsWith('24.') ? process.execPath : undefined)

it.each([
  ['this Node', process.execPath],
  ['Node 24', node24]
])('waits for Lux3D tasks on %s, and refreshes an expired link', async (_, node) => {
  if (!node) {
    if (process.env.CI === 'true') throw new Error('Node 24 is needed: .ci/run sets NODE24_BIN.')
    return
  }
  sim.addTask(BIG_ID, {
    timeline: lux3dTimeline(300),
    outputs: { model: 'v3', requested: ['glb'] }
  })
  sim.addTask('1389513', { timeline: lux3dTimeline(200), outputs: { model: 'G1', ply: true } })
  sim.addTask('1389514', { timeline: lux3dTimeline(200), outputs: { model: 'four-view' } })
  sim.addTask('1389515', { timeline: lux3dTimeline(100, 4) })
  sim.addTask('1389516', { timeline: lux3dTimeline(100, 6) })
  // The PLY's first download is refused as expired: the step asks for the task again.
  sim.addFile('1389513', 'gaussian.ply', {
    kind: 'file',
    path: path.resolve('__fixtures__/splats/ply/input_1k_sh0.ply')
  })
  sim.injectFileFaults('1389513', 'gaussian.ply', {
    kind: 'status',
    status: 403,
    body: EXPIRED_PAGE
  })
  const run = await runAction({
    node,
    inputs: {
      'task-ids': `${BIG_ID} 1389513 1389514 1389515 1389516`,
      provider: 'lux3d',
      'api-key': LUX3D_API_KEY,
      'api-url': sim.url,
      'poll-interval': '100ms',
      timeout: '20s',
      download: 'ply glb',
      'fail-on': 'never'
    }
  })
  expect(run.stderr).toBe('')
  expect(run.exitCode).toBe(0)
  expect(run.outputs.state).toBe('failed')
  expect(JSON.parse(run.outputs.succeeded)).toEqual([BIG_ID, '1389513', '1389514'])
  expect(JSON.parse(run.outputs.failed)).toEqual(['1389515', '1389516'])
  const results = JSON.parse(run.outputs.results) as Array<Record<string, unknown>>
  expect(results.map(r => [r.taskId, r.status, r.state])).toEqual([
    [BIG_ID, 3, 'succeeded'],
    ['1389513', 3, 'succeeded'],
    ['1389514', 3, 'succeeded'],
    ['1389515', 4, 'failed'],
    ['1389516', 6, 'cancelled']
  ])
  const formats = (r: Record<string, unknown>): string[] =>
    (r.assets as Array<{ format: string }>).map(a => a.format)
  expect(results.map(formats)).toEqual([
    ['zip', 'glb'],
    ['zip', 'glb', 'ply'],
    ['image', 'image', 'image', 'image'],
    [],
    []
  ])
  const glbOf = (r: Record<string, unknown>): string =>
    (r.assets as Array<{ format: string; url: string }>).find(a => a.format === 'glb')!.url
  expect(run.outputs['glb-url']).toBe(glbOf(results[0]))
  expect(JSON.parse(run.outputs['glb-urls'])).toEqual([glbOf(results[0]), glbOf(results[1])])
  // The GLBs passed Khronos's validator in the bundle, which counted their triangles.
  const glb = expect.objectContaining({ format: 'glb', triangles: 128, vertices: 256 })
  expect(results[0].files).toEqual([glb])
  expect(results[1].files).toEqual([
    glb,
    expect.objectContaining({ format: 'ply', gaussians: 1000 })
  ])
  expect(readdirSync(path.join(run.workspace, 'aholo-assets', '1389513')).sort()).toEqual([
    'gaussian.ply',
    expect.stringMatching(/\.glb$/)
  ])
  expect(run.summary).toContain('GLB (5.1 KiB, 128 triangles)')
  expect(run.stdout).toContain(
    '1389513 PLY: the link has expired; asking the service for a fresh one.'
  )
  expect(sim.requests.filter(r => r.outcome === 'status').length).toBe(1)
  // The id beyond 2^53 was asked for, and answered, digit for digit.
  expect(sim.apiRequests.some(r => r.query?.taskid === BIG_ID)).toBe(true)
  const shown = [
    run.stdout.replace(/^::add-mask::.*$/gm, ''),
    run.summary,
    JSON.stringify(run.outputs)
  ]
  expect(shown.join('\n')).not.toContain(LUX3D_API_KEY)
})
