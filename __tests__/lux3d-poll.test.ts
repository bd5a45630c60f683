import { describeError } from '../src/errors.js'
import { USER_AGENT } from '../src/net/http.js'
import { Lux3dApiError, Lux3dAuthError } from '../src/providers/lux3d/envelope.js'
import { LUX3D_API_KEY, LUX3D_PREFIXES, lux3dTimeline, type Lux3dFault } from '../sim/lux3d.js'
import { Lux3dHarness } from './support/lux3d-harness.js'

let h: Lux3dHarness

beforeEach(async () => {
  h = await new Lux3dHarness().start()
})
afterEach(async () => {
  expect(h.everything()).not.toContain(LUX3D_API_KEY)
  await h.close()
})

const files = (taskId: string): string => `${h.sim.url}/files/lux3d/${taskId}/`

describe.each(['cn', 'global'] as const)('region %s', region => {
  it('waits through queued and running to success, with the five v3 slots as links', async () => {
    h.sim.addTask('1389513', { timeline: lux3dTimeline(10_000), region })
    const run = await h.poll(['1389513'], {}, { region })
    expect(run.ending).toBe('finished')
    expect(run.changes).toEqual([
      '1389513:->queued',
      '1389513:queued>running',
      '1389513:running>succeeded'
    ])
    const [task] = run.tasks
    expect(task).toMatchObject({ taskId: '1389513', status: 3, state: 'succeeded' })
    expect(task.assets.map(a => a.format)).toEqual(['zip', 'glb', 'usdz', 'obj', 'fbx'])
    expect(task.assets[3].url.startsWith(`${files('1389513')}result_obj.zip?expires=`)).toBe(true)
    const requests = h.sim.apiRequests
    expect(requests.map(r => r.path)).toEqual(
      Array(3).fill(`${LUX3D_PREFIXES[region]}/generate/task/get`)
    )
    expect(requests.every(r => r.query?.taskid === '1389513')).toBe(true)
    expect(requests.every(r => r.authorization === LUX3D_API_KEY)).toBe(true)
    expect(requests.every(r => r.userAgent === USER_AGENT)).toBe(true)
  })

  it("does not find a task of the other region's gateway", async () => {
    h.sim.addTask('42', { timeline: lux3dTimeline(10_000), region })
    const other = region === 'cn' ? 'global' : 'cn'
    const run = await h.poll(['42'], { timeoutMs: 25_000 }, { region: other })
    expect(run.ending).toBe('timed-out')
    expect(run.tasks[0].state).toBe('not-found')
  })
})

it('describes itself by region, and keeps the path of an api-url', async () => {
  await h.close()
  h = await new Lux3dHarness().start({ pathPrefix: '/mirror/aholo' })
  h.sim.addTask('7', { timeline: lux3dTimeline(10_000), region: 'global' })
  const apiUrl = new URL(`${h.sim.url}/mirror/aholo/`)
  const run = await h.poll(['7'], {}, { region: 'global', apiUrl })
  expect(run.ending).toBe('finished')
  expect(h.sim.apiRequests[0].path).toBe('/mirror/aholo/global/lux3d/v1/generate/task/get')
  expect(h.source({ region: 'global', apiUrl }).description).toBe(
    `the Aholo Lux3D API (region global) at ${h.sim.url}/mirror/aholo/global/lux3d/v1`
  )
  expect(h.source({ region: 'cn', apiUrl: undefined }).description).toBe(
    'the Aholo Lux3D API (region cn) at https://api.aholo3d.cn/lux3d/v1'
  )
  expect(h.source({ region: 'global', apiUrl: undefined }).description).toBe(
    'the Aholo Lux3D API (region global) at https://api.aholo3d.com/global/lux3d/v1'
  )
})

it('maps every status, and reports an unknown one once while polling goes on', async () => {
  h.sim.addTask('1', lux3dTimeline(10_000, 3))
  h.sim.addTask('2', lux3dTimeline(10_000, 4))
  h.sim.addTask('3', lux3dTimeline(10_000, 6))
  h.sim.addTask('4', [
    { at: 0, status: 0 },
    { at: 10_000, status: 5 },
    { at: 20_000, status: 2 },
    { at: 30_000, status: 5 },
    { at: 40_000, status: 3 }
  ])
  const run = await h.poll(['1', '2', '3', '4'])
  expect(run.ending).toBe('finished')
  expect(run.tasks.map(t => [t.taskId, t.status, t.state])).toEqual([
    ['1', 3, 'succeeded'],
    ['2', 4, 'failed'],
    ['3', 6, 'cancelled'],
    ['4', 3, 'succeeded']
  ])
  expect(run.changes).toContain('4:queued>unknown')
  expect(run.unknown).toEqual([
    ['4', 5],
    ['4', 2]
  ])
  expect(run.tasks[1].assets).toEqual([])
})

describe('outputs', () => {
  it('skips NOT_REQUESTED slots, and keeps the order of the others', async () => {
    h.sim.addTask('10', {
      timeline: lux3dTimeline(0),
      outputs: { model: 'v3', requested: ['fbx'] }
    })
    const run = await h.poll(['10'])
    expect(run.tasks[0].assets.map(a => a.format)).toEqual(['zip', 'fbx'])
  })

  it.each([
    ['G1 without PLY', { model: 'G1' }, ['zip', 'glb']],
    ['G1 with PLY', { model: 'G1', ply: true }, ['zip', 'glb', 'ply']],
    [
      'G1-Turbo',
      { model: 'G1-Turbo', formats: ['stl', '3mf', 'fbx', 'usdz', 'obj', 'glb'] },
      ['stl', '3mf', 'fbx', 'usdz', 'obj', 'glb']
    ],
    ['four-view', { model: 'four-view' }, ['image', 'image', 'image', 'image']]
  ] as const)('%s', async (_name, outputs, formats) => {
    h.sim.addTask('11', { timeline: lux3dTimeline(0), outputs })
    const run = await h.poll(['11'])
    expect(run.tasks[0].assets.map(a => a.format)).toEqual(formats)
    expect(run.tasks[0].assets.every(a => a.url.startsWith(files('11')))).toBe(true)
  })

  it('keeps what it cannot name as other, and skips null and empty slots', async () => {
    const contents = [null, '', '{files}/notes.txt', 'not a url', '{files}/a.GLB', 'NOT_REQUESTED']
    h.sim.addTask('12', { timeline: lux3dTimeline(0), outputs: { model: 'raw', contents } })
    const run = await h.poll(['12'])
    expect(run.tasks[0].assets).toEqual([
      { format: 'other', url: `${files('12')}notes.txt` },
      { format: 'other', url: 'not a url' },
      { format: 'glb', url: `${files('12')}a.GLB` }
    ])
  })
})

it('keeps ids above 2^53 exact, both ways', async () => {
  const ids = ['9007199254740993', '9223372036854775807']
  for (const id of ids) h.sim.addTask(id, lux3dTimeline(10_000))
  const run = await h.poll(ids)
  expect(run.ending).toBe('finished')
  expect(run.unasked).toEqual([])
  expect(run.tasks.map(t => [t.taskId, t.state])).toEqual(ids.map(id => [id, 'succeeded']))
  expect(new Set(h.sim.apiRequests.map(r => r.query?.taskid))).toEqual(new Set(ids))
})

describe('answers that stop the wait', () => {
  it('fails at once for a wrong key, naming api-key', async () => {
    h.sim.addTask('1', lux3dTimeline(10_000))
    const run = await h.poll(['1'], {}, { apiKey: 'wrong-key-5f1c9e2a7b' })
    expect(run.ending).toBe('error')
    expect(run.error).toBeInstanceOf(Lux3dAuthError)
    const text = describeError(run.error)
    expect(text).toContain("Check the 'api-key' input")
    expect(text).toContain('HTTP 401 UNAUTHENTICATED: Invalid API key')
    expect(h.sim.apiRequests).toHaveLength(1)
  })

  it('fails at once for an envelope error, showing c and m', async () => {
    h.sim.addTask('1', lux3dTimeline(10_000))
    h.sim.injectFaults({ kind: 'envelope', c: 'QUOTA_EXCEEDED', m: '调用额度不足' })
    const run = await h.poll(['1'])
    expect(run.ending).toBe('error')
    expect(run.error).toBeInstanceOf(Lux3dApiError)
    expect(describeError(run.error)).toBe(
      'The Aholo Lux3D API refused the request for task 1: HTTP 200 (c QUOTA_EXCEEDED: 调用额度不足)'
    )
    expect(h.sim.apiRequests).toHaveLength(1)
  })
})

describe('transient faults', () => {
  it.each<[string, Lux3dFault, string, number]>([
    ['429 with Retry-After', { kind: 'rate-limit', retryAfter: '7' }, 'HTTP 429', 7000],
    ['HTTP 503', { kind: 'status', status: 503 }, 'HTTP 503', 1000],
    ['a connection reset', { kind: 'reset' }, 'network ECONNRESET', 1000],
    ['a body that is not JSON', { kind: 'not-json' }, 'not JSON', 1000],
    ['c "0" with a d that is not a task', { kind: 'malformed' }, 'malformed answer', 1000]
  ])('%s is retried, and the wait goes on', async (_name, fault, kind, wait) => {
    h.sim.addTask('1', lux3dTimeline(10_000))
    h.sim.injectFaults(fault)
    const run = await h.poll(['1'])
    expect(run.ending).toBe('finished')
    expect(run.retries.map(f => f.kind)).toEqual([kind])
    expect(h.time.sleeps[0]).toBe(wait)
    expect(h.sim.apiRequests.map(r => r.outcome).slice(0, 2)).toEqual([fault.kind, 'ok'])
  })

  it.each(['404', 'null'] as const)(
    'waits for a task the service does not know yet (said as %s), warning once',
    async absentAs => {
      h.sim.addTask('5', { timeline: lux3dTimeline(10_000), absentFor: 3, absentAs })
      const run = await h.poll(['5'])
      expect(run.ending).toBe('finished')
      expect(run.changes[0]).toBe('5:->not-found')
      expect(h.log.warnings()).toEqual([
        "Lux3D task 5: the API of region cn does not know it (yet); waiting for it. A lasting not-found is most often a typo in 'task-ids' or the other 'region'."
      ])
      expect(h.sim.apiRequests.map(r => r.outcome).slice(0, 4)).toEqual([
        'not-found',
        'not-found',
        'not-found',
        'ok'
      ])
      expect(run.retries).toEqual([])
    }
  )
})

it('falls back to GETs for good when the list is refused (403), warning once', async () => {
  const ids = ['21', '22', '23']
  ids.forEach(id => h.sim.addTask(id, lux3dTimeline(20_000)))
  h.sim.refuseLists = true
  const run = await h.poll(ids)
  expect(run.ending).toBe('finished')
  // Five rounds: the first GETs; the second lists, is refused, and GETs; the others GET.
  expect(h.sim.apiRequests.map(r => `${r.kind} ${r.outcome}`)).toEqual([
    ...Array(3).fill('get ok'),
    'list forbidden',
    ...Array(12).fill('get ok')
  ])
  expect(h.log.warnings()).toEqual([
    expect.stringMatching(
      /^The Lux3D API refuses to list the account's tasks \(.*HTTP 403 PERMISSION_DENIED/
    )
  ])
})

describe('requests per round', () => {
  /** Task k is queued until its turn (one at a time, as a Free account runs them). */
  const inTurn = (count: number): string[] => {
    const ids = Array.from({ length: count }, (_, k) => String(1000 + k))
    ids.forEach((id, k) =>
      h.sim.addTask(id, [
        { at: 0, status: 0 },
        { at: k * 10_000 + 5_000, status: 1 },
        { at: (k + 1) * 10_000 + 5_000, status: 3 }
      ])
    )
    return ids
  }

  it('one task: one GET a round', async () => {
    const run = await h.poll(inTurn(1))
    expect(run.ending).toBe('finished')
    expect(h.requestsPerRound()).toEqual([
      { lists: 0, gets: 1 },
      { lists: 0, gets: 1 },
      { lists: 0, gets: 1 }
    ])
  })

  it('three tasks: never more requests than unfinished tasks', async () => {
    const run = await h.poll(inTurn(3))
    expect(run.ending).toBe('finished')
    // GETs first; then the two lists cost fewer than three GETs, and the task that left them
    // (1000, done at 15 s) is confirmed with a GET; at two tasks and fewer, GETs are cheaper.
    expect(h.requestsPerRound()).toEqual([
      { lists: 0, gets: 3 },
      { lists: 2, gets: 0 },
      { lists: 2, gets: 1 },
      { lists: 0, gets: 2 },
      { lists: 0, gets: 1 }
    ])
  })

  it('forty tasks: the two lists and a GET for each task that left them', async () => {
    h.sim.addOtherTasks(3, { status: 1 })
    const run = await h.poll(inTurn(40), { timeoutMs: 3_600_000 })
    expect(run.ending).toBe('finished')
    const rounds = h.requestsPerRound()
    // One task finishes per round: the lists, and a GET of it for its outputs, until two are
    // left and GETs cost what the lists would.
    expect(rounds).toEqual([
      { lists: 0, gets: 40 },
      { lists: 2, gets: 0 },
      ...Array(38).fill({ lists: 2, gets: 1 }),
      { lists: 0, gets: 2 },
      { lists: 0, gets: 1 }
    ])
    // 198 requests where a GET of every unfinished task each round would have sent 860.
    expect(h.sim.apiRequests.length).toBe(40 + 2 + 38 * 3 + 2 + 1)
  })
})

it.each([
  ['a 502 every time', { kind: 'status', status: 502 }],
  ['a d that is not a task', { kind: 'malformed' }]
] as Array<[string, Lux3dFault]>)(
  'one task whose GET always fails (%s) stays pending; the others finish',
  async (_, fault) => {
    for (const id of ['101', '102', '103']) h.sim.addTask(id, lux3dTimeline(0))
    h.sim.addTask('999', lux3dTimeline(0))
    h.sim.injectTaskFaults('999', ...Array<Lux3dFault>(200).fill(fault))
    const run = await h.poll(['101', '999', '102', '103'], { timeoutMs: 60_000 })
    expect(run.ending).toBe('timed-out')
    expect(run.tasks.map(task => `${task.taskId}:${task.state}`)).toEqual([
      '101:succeeded',
      '999:not-found',
      '102:succeeded',
      '103:succeeded'
    ])
    const named = h.log.lines.filter(line => line.message.startsWith('Lux3D task 999: the answers'))
    expect(named).toHaveLength(1)
  }
)
