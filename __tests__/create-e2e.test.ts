/**
 * The create action's bundle (dist/create/index.js), run as the runner runs it, against the
 * simulated gateways; then the wait action's bundle on the ids it gave. Needs `npm run build`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { startLux3dCreateSim } from '../sim/lux3d-create.js'
import { CREATE_BUNDLE, runAction } from '../sim/runner.js'
import { DEFAULT_API_KEY, startWorldSim, type WorldSim } from '../sim/world.js'

let world: WorldSim

beforeAll(() => {
  if (!existsSync(CREATE_BUNDLE)) {
    throw new Error(`${CREATE_BUNDLE} is missing: run \`npm run build\` first.`)
  }
})
beforeEach(async () => {
  world = await startWorldSim({ createdTimeline: [{ at: 0, status: 'SUCCEEDED', progress: 1 }] })
})
afterEach(async () => {
  await world.close()
})

const photoUrls = Array.from({ length: 20 }, (_, i) => `https://cdn.example.com/p/${i}.jpg`)

describe('dist/create/index.js run as the runner runs it', () => {
  it('refuses, before any request, patterns that match no file', async () => {
    const run = await runAction({
      bundle: CREATE_BUNDLE,
      inputs: { job: 'reconstruction', 'dry-run': 'true', files: 'photos/*.jpg', scene: 'model' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain("::error::Invalid input: 'files' matched no file in the workspace")
    expect(world.requests).toEqual([])
  })

  it('lists the matched files and prints the bodies on a dry run, sending nothing', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'aholo-create-e2e-'))
    mkdirSync(path.join(workspace, 'photos'))
    for (let i = 0; i < 20; i++) {
      writeFileSync(path.join(workspace, 'photos', `p${i}.jpg`), `photo ${i}`)
    }
    const run = await runAction({
      bundle: CREATE_BUNDLE,
      workspace,
      inputs: {
        job: 'reconstruction',
        'dry-run': 'true',
        'api-url': world.url,
        files: 'photos/*.jpg',
        scene: 'model',
        name: 'Chair'
      }
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      'With the provided inputs, there will be 1 reconstruction job from 20 files to upload (150 B).'
    )
    expect(run.stdout).toMatch(/photos\/p0\.jpg {2}7 B \(7 bytes\) {2}md5 [0-9a-f]{32}/)
    expect(run.stdout).toMatch(/"name": "Chair \[aholo:[0-9a-f]{8}\]"/)
    expect(run.stdout).toContain(
      '::notice::Dry run: 1 job checked; nothing was uploaded and nothing was created.'
    )
    expect(run.outputs).toMatchObject({ 'task-ids': '', provider: 'world', uploads: '{}' })
    expect(run.summary).toContain('## Aholo jobs: dry run')
    expect(world.requests).toEqual([])
  })

  it('creates a world, reuses it on a re-run, and the wait action waits for it', async () => {
    const inputs = {
      job: 'reconstruction',
      'api-key': DEFAULT_API_KEY,
      'api-url': world.url,
      urls: photoUrls.join('\n'),
      scene: 'space',
      name: 'Lobby'
    }
    const first = await runAction({ bundle: CREATE_BUNDLE, inputs })
    const second = await runAction({ bundle: CREATE_BUNDLE, inputs })
    expect([first.exitCode, second.exitCode]).toEqual([0, 0])
    expect(world.created).toHaveLength(1)
    const [made] = world.created
    expect(first.outputs['task-ids']).toBe(made.worldId)
    expect(second.outputs['task-ids']).toBe(made.worldId)
    expect(JSON.parse(second.outputs.jobs)).toEqual([
      { name: made.body.name, id: made.worldId, reused: true, files: 20, bytes: 0 }
    ])
    expect(second.stdout).toContain(`Reusing world ${made.worldId} (SUCCEEDED) for "Lobby"`)
    expect(second.summary).toContain('♻️ reused')
    expect(JSON.parse(readFileSync(second.outputs['results-file'], 'utf8'))).toMatchObject({
      provider: 'world',
      jobs: [{ id: made.worldId, reused: true }]
    })
    for (const text of [first.stdout.replace(/^::add-mask::.*$/gm, ''), first.summary]) {
      expect(text).not.toContain(DEFAULT_API_KEY)
    }

    const wait = await runAction({
      inputs: {
        'task-ids': second.outputs['task-ids'],
        provider: second.outputs.provider,
        'api-key': DEFAULT_API_KEY,
        'api-url': world.url,
        'poll-interval': '5s',
        timeout: '20s'
      }
    })
    expect(wait.exitCode).toBe(0)
    expect(wait.outputs.state).toBe('succeeded')
    expect(JSON.parse(wait.outputs.succeeded)).toEqual([made.worldId])
  })

  it('keeps a Lux3D task id past 2^53 exact, and stops within 2 s of a cancel during the quota wait', async () => {
    const lux3d = await startLux3dCreateSim({ quota: 1 })
    try {
      const inputs = {
        job: 'text-to-3d',
        'api-key': DEFAULT_API_KEY,
        'api-url': lux3d.url,
        prompt: 'a lamp'
      }
      const made = await runAction({ bundle: CREATE_BUNDLE, inputs })
      expect(made.exitCode).toBe(0)
      expect(made.outputs['task-ids']).toBe('9007199254740993')

      // That task now runs for a minute: the next creation waits for it, until cancelled.
      let sentAt = 0
      const cancelled = await runAction({
        bundle: CREATE_BUNDLE,
        inputs,
        onStart: child => {
          child.stdout?.on('data', (text: Buffer) => {
            if (!sentAt && text.toString().includes('at its limit of tasks in progress')) {
              sentAt = performance.now()
              child.kill('SIGINT')
            }
          })
        }
      })
      expect(sentAt).toBeGreaterThan(0)
      expect(performance.now() - sentAt).toBeLessThan(2000)
      expect(cancelled.exitCode).toBe(1)
      expect(cancelled.stdout).toContain('::error::Cancelled: received SIGINT')
      expect(cancelled.outputs).toMatchObject({ 'task-ids': '', provider: 'lux3d', jobs: '[]' })
      expect(lux3d.created).toHaveLength(1)
    } finally {
      await lux3d.close()
    }
  })
})

describe('dist/create/index.js under Node 24, as GitHub runs it', () => {
  const node24 =
    process.env.NODE24_BIN ??
    (process.versions.node.startsWith('24.') ? process.execPath : undefined)
  const maybe = node24 || process.env.CI === 'true' ? it : it.skip

  maybe('creates a world and reuses it', async () => {
    if (!node24) throw new Error('Node 24 is needed: .ci/run installs node@24 and sets NODE24_BIN.')
    const inputs = {
      job: 'generation',
      'api-key': DEFAULT_API_KEY,
      'api-url': world.url,
      prompt: 'a sunny loft'
    }
    const first = await runAction({ bundle: CREATE_BUNDLE, node: node24, inputs })
    const second = await runAction({ bundle: CREATE_BUNDLE, node: node24, inputs })
    expect([first.stderr, second.stderr]).toEqual(['', ''])
    expect([first.exitCode, second.exitCode]).toEqual([0, 0])
    expect(world.created).toHaveLength(1)
    expect(second.outputs['task-ids']).toBe(world.created[0].worldId)
    expect(JSON.parse(second.outputs.jobs)[0].reused).toBe(true)
  })
})
