import { Redactor } from '../src/report/redact.js'
import { describeError } from '../src/errors.js'
import { USER_AGENT } from '../src/net/http.js'
import { WorldSource } from '../src/providers/world/client.js'
import { WorldAccessError, WorldAuthError } from '../src/providers/world/envelope.js'
import { DEFAULT_API_KEY, risingTimeline, WORLD_PREFIXES, type WorldFault } from '../sim/world.js'
import { WorldHarness } from './support/world-harness.js'

let h: WorldHarness

beforeEach(async () => {
  h = await new WorldHarness().start()
})
afterEach(async () => {
  // Whatever happened, no line logged (debug included), no retry and no error showed the key.
  expect(h.everything()).not.toContain(DEFAULT_API_KEY)
  await h.close()
})

describe.each(['cn', 'global'] as const)('two worlds in region %s', region => {
  it('rise through every in-progress status to success, with progress and assets', async () => {
    h.sim.addWorld('W1', { timeline: risingTimeline(10_000), region, lod: true })
    h.sim.addWorld('W2', { timeline: risingTimeline(20_000), region, pano: true })
    const run = await h.poll(['W1', 'W2'], {}, { region })

    expect(run.ending).toBe('finished')
    expect(run.changes).toEqual([
      'W1:->queued',
      'W2:->queued',
      'W1:queued>preprocessing',
      'W1:preprocessing>running',
      'W2:queued>preprocessing',
      'W1:running 70%',
      'W1:running>succeeded',
      'W2:preprocessing>running',
      'W2:running 70%',
      'W2:running>succeeded'
    ])
    expect(run.tasks[0]).toMatchObject({
      taskId: 'W1',
      status: 'SUCCEEDED',
      state: 'succeeded',
      finishedAfterMs: 40_000,
      assets: [
        { format: 'ply', url: h.sim.assetUrl('W1', 'ply') },
        { format: 'spz', url: h.sim.assetUrl('W1', 'spz') }
      ],
      details: {
        progress: 1,
        name: 'World W1',
        cover: `${h.sim.url}/covers/W1.jpg`,
        lodMetaPath: `${h.sim.url}/assets/W1/lod-meta.json`,
        upAxis: 'Z'
      }
    })
    expect(run.tasks[1].details).toMatchObject({ panoUrl: `${h.sim.url}/assets/W2/pano.jpg` })
    expect(run.unasked).toEqual([])

    const requests = h.sim.apiRequests
    expect(requests.every(r => r.path.startsWith(`${WORLD_PREFIXES[region]}/`))).toBe(true)
    expect(requests.every(r => r.outcome === 'ok')).toBe(true)
    expect(requests.every(r => r.authorization === DEFAULT_API_KEY)).toBe(true)
    expect(requests.every(r => r.userAgent === USER_AGENT)).toBe(true)
    // Both in progress: the list alone. W1 leaves it: one GET for its assets. W2 alone: a GET
    // costs what a list does, and carries the assets.
    const list = { lists: 1, gets: [] }
    const w2 = { lists: 0, gets: ['W2'] }
    expect(h.requestsPerRound()).toEqual([
      list,
      list,
      list,
      list,
      { lists: 1, gets: ['W1'] },
      w2,
      w2,
      w2,
      w2
    ])
    expect(requests[0].list).toEqual({
      pageNum: 0,
      pageSize: 100,
      statusList: ['PENDING', 'PREPROCESSING', 'RUNNING']
    })
    expect(run.everything).not.toContain(DEFAULT_API_KEY)
  })
})

it('describes itself by region and gateway, and keeps the path of an api-url', async () => {
  await h.close()
  h = await new WorldHarness().start({ pathPrefix: '/mirror/aholo' })
  h.sim.addWorld('W1', { timeline: risingTimeline(10_000), region: 'global' })
  const apiUrl = new URL(`${h.sim.url}/mirror/aholo/`)
  const run = await h.poll(['W1'], {}, { region: 'global', apiUrl })
  expect(run.ending).toBe('finished')
  expect(h.sim.apiRequests[0].path).toBe('/mirror/aholo/global/world/v1/list')
  expect(h.source({ region: 'global', apiUrl }).description).toBe(
    `the Aholo World gateway (region global) at ${h.sim.url}/mirror/aholo/global/world/v1`
  )
  const defaults = { apiKey: 'k', clock: h.time, log: h.log, requestTimeoutMs: 1 }
  expect(new WorldSource({ ...defaults, region: 'cn' }).description).toBe(
    'the Aholo World gateway (region cn) at https://api.aholo3d.cn/world/v1'
  )
  expect(new WorldSource({ ...defaults, region: 'global' }).description).toBe(
    'the Aholo World gateway (region global) at https://api.aholo3d.com/global/world/v1'
  )
  expect(h.source().formats).toEqual(['ply', 'spz', 'sog'])
})

it('fails at once for a wrong key, naming api-key and never the key', async () => {
  await h.close()
  h = await new WorldHarness().start({ echoKeyInErrors: true })
  h.sim.addWorld('W1', risingTimeline(10_000))
  const wrongKey = 'wrong-key-5f1c9e2a7b'
  const run = await h.poll(['W1'], {}, { apiKey: wrongKey })

  expect(run.ending).toBe('error')
  expect(run.error).toBeInstanceOf(WorldAuthError)
  const text = describeError(run.error)
  expect(text).toContain("'api-key'")
  expect(text).toContain('"API keys" page')
  expect(text).toContain('bizCode 10004')
  // The gateway echoed the key it refused: the source reports what it said, and the step's
  // sinks take the key out (main.test.ts shows it never reaches what the step shows).
  expect(h.sim.apiRequests[0].authorization).toBe(wrongKey)
  expect(new Redactor([wrongKey]).text(text)).toContain('Invalid API key (***)')
  expect(h.sim.apiRequests).toHaveLength(1)
  expect(h.time.sleeps).toEqual([])
})

it('refuses a key sent as a Bearer token, as the gateway does', async () => {
  await h.close()
  h = await new WorldHarness().start({ echoKeyInErrors: true })
  const run = await h.poll(['W1'], {}, { apiKey: `Bearer ${DEFAULT_API_KEY}` })
  expect(run.error).toBeInstanceOf(WorldAuthError)
  expect(new Redactor([`Bearer ${DEFAULT_API_KEY}`]).text(run.everything)).not.toContain(
    DEFAULT_API_KEY
  )
  // The gateway echoed the key it was sent: the source reports that raw, and the sinks redact
  // it (checked above), so the harness-wide check in afterEach does not apply to this run.
  await h.close()
  h = await new WorldHarness().start()
})

it('reports FAILED, CANCELED and SUCCEEDED together', async () => {
  h.sim.addWorld('OK', risingTimeline(10_000))
  h.sim.addWorld('BAD', risingTimeline(10_000, 'FAILED'))
  h.sim.addWorld('STOP', risingTimeline(5_000, 'CANCELED'))
  const run = await h.poll(['OK', 'BAD', 'STOP'])
  expect(run.ending).toBe('finished')
  expect(run.tasks.map(t => [t.taskId, t.status, t.state])).toEqual([
    ['OK', 'SUCCEEDED', 'succeeded'],
    ['BAD', 'FAILED', 'failed'],
    ['STOP', 'CANCELED', 'cancelled']
  ])
  expect(run.tasks[1].assets).toEqual([])
})

describe('transient faults', () => {
  it.each<[string, WorldFault, string, number]>([
    ['429 with Retry-After', { kind: 'rate-limit', retryAfter: '7' }, 'HTTP 429', 7000],
    ['HTTP 503', { kind: 'status', status: 503 }, 'HTTP 503', 1000],
    ['HTTP 502', { kind: 'status', status: 502 }, 'HTTP 502', 1000],
    ['a connection reset', { kind: 'reset' }, 'network ECONNRESET', 1000],
    ['HTML under HTTP 200', { kind: 'not-json' }, 'not JSON', 1000]
  ])('%s is retried, and the wait goes on', async (_name, fault, kind, wait) => {
    h.sim.addWorld('W1', risingTimeline(10_000))
    // Answered to the first request: the first round's list.
    h.sim.injectFaults(fault)
    const run = await h.poll(['W1'])
    expect(run.ending).toBe('finished')
    expect(run.tasks[0].state).toBe('succeeded')
    expect(run.retries.map(f => f.kind)).toEqual([kind])
    expect(h.time.sleeps[0]).toBe(wait)
    expect(h.sim.apiRequests.map(r => r.outcome).slice(0, 2)).toEqual([fault.kind, 'ok'])
  })

  it('faults on a GET retry that GET alone, not the list', async () => {
    h.sim.addWorld('W1', [{ at: 0, status: 'SUCCEEDED', progress: 1 }])
    h.sim.injectWorldFaults('W1', { kind: 'status', status: 500 }, { kind: 'reset' })
    const run = await h.poll(['W1'])
    expect(run.ending).toBe('finished')
    expect(h.sim.apiRequests.map(r => `${r.method} ${r.outcome}`)).toEqual([
      'POST ok',
      'GET status',
      'GET reset',
      'GET ok'
    ])
    expect(run.retries.map(f => f.kind)).toEqual(['HTTP 500', 'network ECONNRESET'])
  })
})

it('an unknown status string is reported once, with state unknown, and polling goes on', async () => {
  h.sim.addWorld('W1', [
    { at: 0, status: 'PENDING', progress: 0 },
    { at: 10_000, status: 'ARCHIVING', progress: 0.5 },
    { at: 30_000, status: 'SUCCEEDED', progress: 1 }
  ])
  const run = await h.poll(['W1'])
  expect(run.ending).toBe('finished')
  expect(run.unknown).toEqual([['W1', 'ARCHIVING']])
  expect(run.changes).toEqual(['W1:->queued', 'W1:queued>unknown', 'W1:unknown>succeeded'])
})

it('a world first 404 and found later is warned about once, naming it and the region', async () => {
  h.sim.addWorld('LATE', { timeline: risingTimeline(10_000), absentFor: 3 })
  const run = await h.poll(['LATE'])
  expect(run.ending).toBe('finished')
  expect(run.tasks[0].state).toBe('succeeded')
  const warnings = h.log.warnings()
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toContain('LATE')
  expect(warnings[0]).toContain('region cn')
  expect(warnings[0]).toContain("'region'")
  expect(h.sim.apiRequests.filter(r => r.outcome === 'not-found')).toHaveLength(3)
})

it('a world of the other region stays not-found until the timeout, warned about once', async () => {
  h.sim.addWorld('CNW', risingTimeline(10_000))
  const run = await h.poll(['CNW'], { timeoutMs: 60_000 }, { region: 'global' })
  expect(run.ending).toBe('timed-out')
  expect(run.tasks[0].state).toBe('not-found')
  expect(h.log.warnings()).toEqual([expect.stringContaining('region global')])
})

it('a world of another account fails the wait at once, naming the world', async () => {
  h.sim.addWorld('MINE', risingTimeline(10_000))
  h.sim.addWorld('THEIRS', { timeline: risingTimeline(10_000), account: 'someone-else' })
  const run = await h.poll(['MINE', 'THEIRS'])
  expect(run.ending).toBe('error')
  expect(run.error).toBeInstanceOf(WorldAccessError)
  expect((run.error as WorldAccessError).worldId).toBe('THEIRS')
  expect(describeError(run.error)).toContain('world THEIRS')
  expect(describeError(run.error)).toContain('not a task outcome')
  expect(run.rounds).toBe(1)
})

it('a list that ignores its filter costs GETs, never a wrong outcome', async () => {
  h.sim.listIgnoresFilter = true
  h.sim.addWorld('DONE', [{ at: 0, status: 'SUCCEEDED', progress: 1 }])
  h.sim.addWorld('RUN', risingTimeline(10_000))
  h.sim.addOtherWorlds(3, { status: 'FAILED' })
  const run = await h.poll(['DONE', 'RUN'])
  expect(run.ending).toBe('finished')
  expect(run.tasks[0].assets[0]).toEqual({ format: 'ply', url: h.sim.assetUrl('DONE', 'ply') })
  expect(h.requestsPerRound()[0]).toEqual({ lists: 1, gets: ['DONE'] })
})

it('a gateway that refuses the list (403) is asked world by world, with one warning', async () => {
  h.sim.addWorld('W1', risingTimeline(10_000))
  h.sim.addWorld('W2', risingTimeline(10_000))
  const body = JSON.stringify({ code: 403, status: 'PERMISSION_DENIED', message: 'list denied' })
  h.sim.injectFaults({ kind: 'status', status: 403, body })
  const run = await h.poll(['W1', 'W2'])
  expect(run.ending).toBe('finished')
  expect(h.log.warnings()).toEqual([expect.stringContaining('one GET per world per round')])
  const requests = h.sim.apiRequests
  expect(requests.filter(r => r.method === 'POST')).toHaveLength(1)
  expect(requests.filter(r => r.method === 'GET')).toHaveLength(2 * run.rounds)
})

describe('a hostile or broken gateway', () => {
  const lyingPage = (page: number, totalCount?: number): WorldFault => ({
    kind: 'status',
    status: 200,
    body: JSON.stringify({
      pageNum: page,
      hasMore: true,
      ...(totalCount === undefined ? {} : { totalCount }),
      result: Array.from({ length: 100 }, (_, i) => ({
        worldId: `OTHER-${page}-${i}`,
        status: 'RUNNING'
      }))
    })
  })

  it.each([1_000_000_000, undefined])(
    'a list that never ends (totalCount %s) costs the asked worlds ÷ 100 + 1 pages, and the asked world is read',
    async totalCount => {
      h.sim.addWorld('W1', [{ at: 0, status: 'SUCCEEDED', progress: 1 }])
      h.sim.injectListFaults(
        ...Array.from({ length: 50 }, (_, page) => lyingPage(page, totalCount))
      )
      const run = await h.poll(['W1'])
      expect(run.ending).toBe('finished')
      expect(run.tasks[0].state).toBe('succeeded')
      expect(h.sim.apiRequests.map(r => r.method)).toEqual(['POST', 'POST', 'GET'])
      // Pages are paced apart.
      const [first, second] = h.sim.apiRequests
      expect(second.at - first.at).toBeGreaterThanOrEqual(100)
    }
  )

  it('a page seen twice ends the listing', async () => {
    const asked = Array.from({ length: 250 }, (_, i) => `W${i}`)
    for (const id of asked) h.sim.addWorld(id, [{ at: 0, status: 'SUCCEEDED', progress: 1 }])
    h.sim.injectListFaults(lyingPage(0), lyingPage(0), lyingPage(0), lyingPage(0))
    const run = await h.poll(asked)
    expect(run.ending).toBe('finished')
    expect(h.sim.apiRequests.filter(r => r.method === 'POST')).toHaveLength(2)
    expect(h.sim.apiRequests.filter(r => r.method === 'GET')).toHaveLength(250)
  })

  it.each([
    ['a 502 every time', { kind: 'status', status: 502 }],
    ['an HTML page', { kind: 'not-json' }],
    ['no answer', { kind: 'reset' }],
    ['NaN in JSON', { kind: 'status', status: 200, body: '{"worldId":"BAD","progress":NaN}' }],
    ['a JSON array', { kind: 'status', status: 200, body: '[1,2]' }]
  ] as Array<[string, WorldFault]>)(
    'one world whose GET always fails (%s) stays pending; the others finish',
    async (_, fault) => {
      for (const id of ['A', 'B', 'C']) h.sim.addWorld(id, [{ at: 0, status: 'SUCCEEDED' }])
      h.sim.addWorld('BAD', [{ at: 0, status: 'SUCCEEDED' }])
      h.sim.injectWorldFaults('BAD', ...Array<WorldFault>(200).fill(fault))
      const run = await h.poll(['A', 'BAD', 'B', 'C'], { timeoutMs: 60_000 })
      expect(run.ending).toBe('timed-out')
      expect(run.tasks.map(task => `${task.taskId}:${task.state}`)).toEqual([
        'A:succeeded',
        'BAD:not-found',
        'B:succeeded',
        'C:succeeded'
      ])
      const named = h.log.lines.filter(line =>
        line.message.startsWith('World BAD: the answers for it keep failing')
      )
      expect(named).toHaveLength(1)
      expect(named[0].level).toBe('warning')
    }
  )

  it('a malformed answer for every world keeps them pending, and the timeout says why', async () => {
    for (const id of ['A', 'B']) {
      h.sim.addWorld(id, [{ at: 0, status: 'SUCCEEDED' }])
      h.sim.injectWorldFaults(
        id,
        ...Array<WorldFault>(5).fill({ kind: 'status', status: 200, body: '"x"' })
      )
    }
    const run = await h.poll(['A', 'B'], { timeoutMs: 30_000 })
    expect(run.ending).toBe('timed-out')
    expect(run.lastFault?.message).toContain('is not a JSON object')
  })
})
