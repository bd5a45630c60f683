/**
 * The bundle, run as the runner runs it. Needs `npm run build` first (CI rebuilds dist/ and
 * fails on any difference, so these tests always see the current source).
 */
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { type ActionRun, BUNDLE, runAction } from '../sim/runner.js'
import { DEFAULT_API_KEY, risingTimeline, startWorldSim } from '../sim/world.js'

const SECRET = DEFAULT_CREDENTIALS.appSecret
let sim: AholoSim

beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first.`)
})
beforeEach(async () => {
  sim = await startAholoSim()
})
afterEach(async () => {
  await sim.close()
})

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'task-ids': 'T1',
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': SECRET,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'poll-interval': '50ms',
    timeout: '20s',
    ...extra
  }
}

/** `::add-mask::` lines are the runner's masking protocol: the runner consumes them unseen. */
function expectNoSecrets(run: ActionRun): void {
  const log = run.stdout.replace(/^::add-mask::.*$/gm, '')
  for (const text of [log, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
    expect(text).not.toContain(SECRET)
    expect(text).not.toMatch(/sign=[0-9a-f]{32}/)
  }
}

describe('dist/index.js run as the runner runs it', () => {
  it('waits for tasks to succeed and sets every output and the summary', async () => {
    sim.addTask('T1', [0, 8, 2, 3]).addTask('T2', { timeline: [2, 3], formats: ['ply', 'spz'] })
    const run = await runAction({ inputs: inputs({ 'task-ids': 'T1\nT2\nT1' }) })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.state).toBe('succeeded')
    expect(JSON.parse(run.outputs.succeeded)).toEqual(['T1', 'T2'])
    expect(JSON.parse(run.outputs.failed)).toEqual([])
    expect(JSON.parse(run.outputs.pending)).toEqual([])
    expect(run.outputs['ply-url']).toBe(sim.assetUrl('T1', 'ply'))
    expect(JSON.parse(run.outputs['sog-urls'])).toEqual([sim.assetUrl('T1', 'sog')])
    expect(JSON.parse(run.outputs['spz-urls'])).toEqual([
      sim.assetUrl('T1', 'spz'),
      sim.assetUrl('T2', 'spz')
    ])
    expect(JSON.parse(run.outputs.results)).toEqual([
      {
        taskId: 'T1',
        status: 3,
        state: 'succeeded',
        plyPath: sim.assetUrl('T1', 'ply'),
        spzPath: sim.assetUrl('T1', 'spz'),
        sogPath: sim.assetUrl('T1', 'sog'),
        assets: [
          { format: 'ply', url: sim.assetUrl('T1', 'ply') },
          { format: 'spz', url: sim.assetUrl('T1', 'spz') },
          { format: 'sog', url: sim.assetUrl('T1', 'sog') }
        ],
        files: []
      },
      {
        taskId: 'T2',
        status: 3,
        state: 'succeeded',
        plyPath: sim.assetUrl('T2', 'ply'),
        spzPath: sim.assetUrl('T2', 'spz'),
        sogPath: null,
        assets: [
          { format: 'ply', url: sim.assetUrl('T2', 'ply') },
          { format: 'spz', url: sim.assetUrl('T2', 'spz') }
        ],
        files: []
      }
    ])
    for (const name of [
      'download-dir',
      'artifact-id',
      'artifact-url',
      'artifact-digest',
      'check-run-url'
    ]) {
      expect(run.outputs[name]).toBe('')
    }
    expect(run.stdout).toContain('::notice::')
    expect(run.stdout).toContain('::group::Waiting for 2 Aholo tasks')
    expect(run.stdout).toMatch(/T1: preprocessing → running/)
    // One line per change, not one per poll.
    expect(run.stdout.match(/T2: /g)).toHaveLength(2)
    expect(run.summary).toContain('## Aholo 3D tasks: ✅ all tasks succeeded')
    expect(run.summary).toMatch(/\| `T2` \| ✅ succeeded \| [\d.]+m?s \| PLY · SPZ \|/)
    expectNoSecrets(run)
  })

  it('fails the step for a failed task and still sets outputs and the summary', async () => {
    sim.addTask('T1', [2, 3]).addTask('T2', [2, 4])
    const run = await runAction({ inputs: inputs({ 'task-ids': '["T1","T2"]' }) })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      '::error::Not every task succeeded (1 of 2 succeeded; 1 failed: T2).'
    )
    expect(run.outputs.state).toBe('failed')
    expect(JSON.parse(run.outputs.failed)).toEqual(['T2'])
    expect(run.summary).toContain('| `T2` | ❌ failed |')
    expectNoSecrets(run)
  })

  it('passes with fail-on never, with a warning', async () => {
    sim.addTask('T1', [4])
    const run = await runAction({ inputs: inputs({ 'fail-on': 'never' }) })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.state).toBe('failed')
    expect(run.stdout).toContain('::warning::0 of 1 succeeded; 1 failed: T1')
  })

  it('reports every bad input at once and sends no request', async () => {
    const run = await runAction({
      inputs: inputs({
        'task-ids': 'ok, not ok!',
        timeout: 'forever',
        'fail-on': 'sometimes',
        'app-secret': `${SECRET} with spaces`
      })
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('::error::4 inputs are invalid:')
    expect(run.stdout).toContain(`'timeout' must be a positive duration`)
    expect(run.stdout).toContain(`'fail-on' must be one of any, all, never; got "sometimes".`)
    expect(run.stdout).toContain(
      `'app-secret' must not contain spaces or line breaks (its value is not shown).`
    )
    expect(sim.requests).toHaveLength(0)
    expect(run.outputs).toEqual({})
    expectNoSecrets(run)
  })

  it('fails at once on a signature error, showing c and m', async () => {
    sim.addTask('T1', [2])
    const run = await runAction({ inputs: inputs({ 'app-secret': 'not-the-right-secret' }) })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('::error::Aholo API error c="100002": 签名错误')
    expect(run.outputs.state).toBe('failed')
    expect(JSON.parse(run.outputs.pending)).toEqual(['T1'])
    expect(sim.apiRequests).toHaveLength(1)
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('not-the-right-secret')
  })

  it('times out with tasks pending and says so', async () => {
    sim.addTask('T1', [2])
    const run = await runAction({ inputs: inputs({ timeout: '1s' }) })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.state).toBe('timed-out')
    expect(JSON.parse(run.outputs.pending)).toEqual(['T1'])
    expect(run.stdout).toContain("::error::Timed out after 1s (the 'timeout' input).")
    expect(run.summary).toContain('⏱️ timed out with tasks unfinished')
  })

  it('warns once about repeated transient faults', async () => {
    sim.addTask('T1', [2, 2, 3])
    sim.injectFaults({ kind: 'status', status: 503 }, { kind: 'status', status: 503 })
    const run = await runAction({ inputs: inputs() })
    expect(run.exitCode).toBe(0)
    expect(run.stdout.match(/::warning::Aholo API: HTTP 503/g)).toHaveLength(1)
    expect(run.stdout).toMatch(/::debug::Aholo API: HTTP 503/)
  })

  it('stops on SIGINT, writes what it knows, and exits non-zero within two seconds', async () => {
    sim.addTask('T1', [0, 2]).addTask('T2', [3])
    let signalledAt = 0
    const run = await runAction({
      inputs: inputs({ 'task-ids': 'T1 T2', 'poll-interval': '1m', timeout: '10m' }),
      onStdout: text => {
        if (signalledAt === 0 && text.includes('T2: succeeded')) {
          signalledAt = performance.now()
          setTimeout(() => runChild?.kill('SIGINT'), 100)
        }
      },
      onStart: child => (runChild = child)
    })
    const exitedAfter = performance.now() - signalledAt
    expect(run.exitCode).not.toBe(0)
    expect(exitedAfter).toBeLessThan(2000)
    expect(run.outputs.state).toBe('cancelled')
    expect(JSON.parse(run.outputs.succeeded)).toEqual(['T2'])
    expect(JSON.parse(run.outputs.pending)).toEqual(['T1'])
    expect(run.summary).toContain('🚫 cancelled while waiting')
    expect(run.stdout).toContain('::error::The run was cancelled while waiting')
  })
})

let runChild: import('node:child_process').ChildProcess | undefined

describe('under Node 24, as GitHub runs it', () => {
  const node24 =
    process.env.NODE24_BIN ??
    (process.versions.node.startsWith('24.') ? process.execPath : undefined)
  const maybe = node24 ? it : process.env.CI === 'true' ? it : it.skip

  maybe('runs a wait to success', async () => {
    if (!node24) throw new Error('Node 24 is needed: .ci/run installs node@24 and sets NODE24_BIN.')
    sim.addTask('T1', [2, 3])
    const run = await runAction({ inputs: inputs(), node: node24 })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.state).toBe('succeeded')
  })
})

describe('dist/index.js on the World gateway, on Node 20 and 24', () => {
  const node24 =
    process.env.NODE24_BIN ??
    (process.versions.node.startsWith('24.') ? process.execPath : undefined)
  const nodes: Array<[string, string | undefined]> = [
    ['this Node', process.execPath],
    ['Node 24', node24]
  ]

  it.each(nodes)('follows two worlds to success in both regions on %s', async (_, node) => {
    if (!node) {
      if (process.env.CI === 'true') throw new Error('Node 24 is needed: .ci/run sets NODE24_BIN.')
      return
    }
    const world = await startWorldSim()
    try {
      const run = async (region: string, id: string): Promise<ActionRun> =>
        runAction({
          node,
          inputs: {
            'task-ids': id,
            'api-key': DEFAULT_API_KEY,
            region,
            'api-url': world.url,
            'poll-interval': '100ms',
            timeout: '20s'
          }
        })
      for (const [region, id, prefix] of [
        ['cn', 'WCN1', '/world/v1'],
        ['global', 'WGL1', '/global/world/v1']
      ]) {
        // Steps of 800 ms polled every 100 ms: the step sees the world rise, however slowly the
        // process starts on a busy machine.
        world.addWorld(id, { timeline: risingTimeline(800), region: region as 'cn' | 'global' })
        const result = await run(region, id)
        expect(result.stderr).toBe('')
        expect(result.exitCode).toBe(0)
        expect(result.outputs.state).toBe('succeeded')
        expect(JSON.parse(result.outputs.results)[0]).toMatchObject({
          taskId: id,
          status: 'SUCCEEDED'
        })
        expect(result.stdout).toMatch(new RegExp(`${id}: (running|preprocessing) → succeeded`))
        const shown = [
          result.stdout.replace(/^::add-mask::.*$/gm, ''),
          result.summary,
          JSON.stringify(result.outputs)
        ].join('\n')
        expect(shown).not.toContain(DEFAULT_API_KEY)
        expect(world.apiRequests.some(request => request.path.startsWith(`${prefix}/`))).toBe(true)
      }
      expect(world.apiRequests.map(request => request.userAgent)).toEqual(
        world.apiRequests.map(() => expect.stringMatching(/^aholo-task-action\/\d+\.\d+\.\d+$/))
      )
    } finally {
      await world.close()
    }
  })
})

describe('dist/index.js: the matrix output and a World sogPath', () => {
  const SOG = path.resolve('__fixtures__/splats/sog/bundled_1k_sh3.sog')

  it('downloads and verifies a World SOG, and lists the succeeded worlds in the matrix', async () => {
    const world = await startWorldSim()
    try {
      const done = [{ at: 0, status: 'SUCCEEDED', progress: 1 }]
      world
        .addWorld('WSOG', { timeline: done, sog: true })
        .addWorld('WNOSOG', { timeline: done })
        .addAsset(world.assetPath('WSOG', 'sog'), { kind: 'file', path: SOG })
      const run = await runAction({
        inputs: {
          'task-ids': 'WSOG WNOSOG',
          'api-key': DEFAULT_API_KEY,
          'api-url': world.url,
          'poll-interval': '100ms',
          timeout: '20s',
          download: 'sog'
        }
      })
      expect(run.exitCode).toBe(0)
      const sog = world.assetUrl('WSOG', 'sog')
      expect(run.outputs['sog-url']).toBe(sog)
      expect(JSON.parse(run.outputs['sog-urls'])).toEqual([sog])
      const [withSog, withoutSog] = JSON.parse(run.outputs.results)
      expect(withSog.files).toEqual([
        expect.objectContaining({ format: 'sog', gaussians: 1000, version: 'sog-v2' })
      ])
      expect(withoutSog.sogPath).toBeNull()
      expect(JSON.parse(run.outputs.matrix)).toEqual({
        include: [
          {
            'task-id': 'WSOG',
            state: 'succeeded',
            'ply-url': world.assetUrl('WSOG', 'ply'),
            'spz-url': world.assetUrl('WSOG', 'spz'),
            'sog-url': sog
          },
          {
            'task-id': 'WNOSOG',
            state: 'succeeded',
            'ply-url': world.assetUrl('WNOSOG', 'ply'),
            'spz-url': world.assetUrl('WNOSOG', 'spz')
          }
        ]
      })
      expect(run.stdout).toContain(
        '::notice::Not downloaded, since the service gave no URL: WNOSOG has no SOG file.'
      )
    } finally {
      await world.close()
    }
  })
})

describe('dist/index.js: the duration limit it states', () => {
  it('refuses timeout 577h before any request, and takes 576h', async () => {
    sim.addTask('T1', [3])
    const over = await runAction({ inputs: inputs({ timeout: '577h' }) })
    expect(over.exitCode).toBe(1)
    expect(over.stdout).toContain(
      `::error::Invalid input: 'timeout' must be at most 24 days (576h); got "577h".`
    )
    expect(sim.apiRequests).toHaveLength(0)
    const within = await runAction({ inputs: inputs({ timeout: '576h' }) })
    expect(within.exitCode).toBe(0)
    expect(within.outputs.state).toBe('succeeded')
    expect(within.stdout).toContain('up to 576h)')
  })
})
