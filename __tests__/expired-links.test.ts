/**
 * A download refused because its signed link expired asks the service for the task again, once,
 * through the TaskSource seam, for all three APIs; a link that has expired again fails, naming the
 * task. Real servers: the simulated services, whose file links expire on their clocks.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { type DeliveryDeps, deliverAssets } from '../src/assets/deliver.js'
import type { TaskRecord } from '../src/poll.js'
import { OpenPlatformSource } from '../src/providers/open-platform/client.js'
import type { TaskSource } from '../src/providers/provider.js'
import { realClock } from '../src/runtime.js'
import { LINK_TTL_MS } from '../sim/lux3d.js'
import { DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { FakeTime } from './support/fake-time.js'
import { Lux3dHarness } from './support/lux3d-harness.js'
import { WorldHarness } from './support/world-harness.js'

const PLY = path.resolve('__fixtures__/splats/ply/input_1k_sh0.ply')
const EXPIRED_PAGE =
  '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'

let folder: string
const lines: string[] = []

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-expired-'))
  lines.length = 0
})
afterEach(() => rmSync(folder, { recursive: true, force: true }))

const deps: DeliveryDeps = {
  clock: realClock,
  signal: new AbortController().signal,
  env: process.env,
  log: {
    debug: () => undefined,
    info: message => lines.push(message),
    notice: message => lines.push(message),
    warning: message => lines.push(message),
    startGroup: () => undefined,
    endGroup: () => undefined
  }
}

/** Delivers the PLY of `tasks`, refreshing through `source` (on `clock`) as main.ts does. */
function deliver(source: TaskSource, tasks: TaskRecord[], clock: FakeTime) {
  return deliverAssets(
    {
      formats: ['ply'],
      downloadDir: folder,
      download: { maxAttempts: 1 },
      refresh: async taskId => {
        const call = { signal: deps.signal, deadline: clock.now() + 10_000 }
        return (await source.refresh(taskId, call))?.assets
      }
    },
    tasks,
    deps
  )
}

describe('Lux3D, whose links last 2 hours', () => {
  let h: Lux3dHarness
  beforeEach(async () => {
    h = await new Lux3dHarness().start()
  })
  afterEach(() => h.close())

  it('asks for the task again when a link expired before its download, and downloads it', async () => {
    h.sim.addTask('9007199254740993', {
      timeline: [{ at: 0, status: 3 }],
      outputs: { model: 'G1', ply: true }
    })
    const run = await h.poll(['9007199254740993'])
    // The step is slow to download: the links were signed more than 2 hours ago.
    h.time.current += LINK_TTL_MS + 1000
    const delivery = await deliver(h.source(), run.tasks, h.time)

    expect(delivery.error).toBeUndefined()
    expect(readdirSync(path.join(folder, '9007199254740993'))).toEqual(['gaussian.ply'])
    expect(delivery.files.get('9007199254740993')?.[0]).toMatchObject({
      format: 'ply',
      gaussians: 1000
    })
    expect(h.sim.requests.map(r => `${r.kind ?? 'file'} ${r.outcome}`)).toEqual([
      'get ok',
      'file expired',
      'get ok',
      'file file'
    ])
    expect(lines).toContain(
      '9007199254740993 PLY: the link has expired; asking the service for a fresh one.'
    )
  })

  it('fails the file, naming the task, when the fresh link has expired too', async () => {
    h.sim.addTask('77', { timeline: [{ at: 0, status: 3 }], outputs: { model: 'G1', ply: true } })
    h.sim.linkTtlMs = 0
    const run = await h.poll(['77'])
    const delivery = await deliver(h.source(), run.tasks, h.time)

    expect(delivery.files.size).toBe(0)
    expect(delivery.error).toBe(
      `1 of 1 download failed: Task 77, PLY from ${h.sim.url}/files/lux3d/77/gaussian.ply: ` +
        'HTTP 403 (AccessDenied Request has expired); the signed URL may have expired; the link had expired again after it was refreshed.'
    )
    expect(h.sim.requests.map(r => `${r.kind ?? 'file'} ${r.outcome}`)).toEqual([
      'get ok',
      'file expired',
      'get ok',
      'file expired'
    ])
  })

  it('does not ask again for a 403 that is not about expiry', async () => {
    h.sim.addTask('78', { timeline: [{ at: 0, status: 3 }], outputs: { model: 'G1', ply: true } })
    const run = await h.poll(['78'])
    const [ply] = run.tasks[0].assets.filter(a => a.format === 'ply')
    const forged = {
      ...run.tasks[0],
      // One character of the signature changed, whatever it was.
      assets: [
        {
          ...ply,
          url: ply.url.replace(/signature=(.)/, (_, c) => `signature=${c === '0' ? 1 : 0}`)
        }
      ]
    }
    const delivery = await deliver(h.source(), [forged], h.time)
    expect(delivery.error).toContain('Task 78, PLY from')
    expect(delivery.error).toContain('SignatureDoesNotMatch')
    expect(h.sim.requests.map(r => `${r.kind ?? 'file'} ${r.outcome}`)).toEqual([
      'get ok',
      'file bad-signature'
    ])
  })
})

it('World: the world is asked for again, and its link downloads', async () => {
  const h = await new WorldHarness().start()
  try {
    h.sim.addWorld('W1', [{ at: 0, status: 'SUCCEEDED', progress: 1 }])
    h.sim.addAsset(h.sim.assetPath('W1', 'ply'), { kind: 'file', path: PLY })
    h.sim.injectAssetFaults(h.sim.assetPath('W1', 'ply'), {
      kind: 'status',
      status: 400,
      body: EXPIRED_PAGE
    })
    const run = await h.poll(['W1'])
    const before = h.sim.apiRequests.length
    const delivery = await deliver(h.source(), run.tasks, h.time)
    expect(delivery.error).toBeUndefined()
    expect(delivery.files.get('W1')).toHaveLength(1)
    expect(h.sim.apiRequests.slice(before).map(r => `${r.method} ${r.worldId}`)).toEqual(['GET W1'])
  } finally {
    await h.close()
  }
})

it('open platform: the task is asked for again, and its link downloads', async () => {
  const time = new FakeTime()
  const sim = await startAholoSim({ now: time.wallClock })
  try {
    sim.addTask('T1', { timeline: [3], formats: ['ply'] })
    sim.addAsset(sim.assetPath('T1', 'ply'), { kind: 'file', path: PLY })
    sim.injectAssetFaults(sim.assetPath('T1', 'ply'), {
      kind: 'status',
      status: 403,
      body: EXPIRED_PAGE
    })
    const source = new OpenPlatformSource({
      apiUrl: new URL(sim.url),
      credentials: DEFAULT_CREDENTIALS,
      clock: time,
      log: { debug: () => undefined },
      requestTimeoutMs: 2000
    })
    const [snapshot] = await source.poll(['T1'], {
      signal: deps.signal,
      deadline: time.now() + 10_000
    })
    const task: TaskRecord = { ...snapshot, final: true }
    const delivery = await deliver(source, [task], time)
    expect(delivery.error).toBeUndefined()
    expect(delivery.files.get('T1')).toHaveLength(1)
    expect(sim.requests.filter(r => r.ids !== undefined).map(r => r.ids)).toEqual([['T1'], ['T1']])
  } finally {
    await sim.close()
  }
})
