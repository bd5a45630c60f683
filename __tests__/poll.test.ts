import {
  OpenPlatformSource,
  type OpenPlatformOptions
} from '../src/providers/open-platform/client.js'
import { OpenPlatformApiError } from '../src/providers/open-platform/envelope.js'
import { failureReason, groupTasks, overallState } from '../src/report/outcome.js'
import { pollTasks, type PollOptions, type PollOutcome } from '../src/poll.js'
import { realClock } from '../src/runtime.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { FakeTime } from './support/fake-time.js'

let sim: AholoSim
let time: FakeTime

beforeEach(async () => {
  time = new FakeTime()
  sim = await startAholoSim({ now: time.wallClock })
})
afterEach(async () => {
  await sim.close()
})

function client(overrides: Partial<OpenPlatformOptions> = {}): OpenPlatformSource {
  return new OpenPlatformSource({
    apiUrl: new URL(sim.url),
    credentials: DEFAULT_CREDENTIALS,
    // Real time plus the fake waits, so every attempt carries a fresh timestamp.
    clock: time,
    log: { debug: () => undefined },
    requestTimeoutMs: 2000,
    ...overrides
  })
}

interface Recorded {
  changes: string[]
  progress: string[][]
  unknown: Array<[string, number | string]>
}

async function poll(
  taskIds: string[],
  options: Partial<PollOptions> = {},
  clientOptions: Partial<OpenPlatformOptions> = {}
): Promise<PollOutcome & Recorded> {
  const recorded: Recorded = { changes: [], progress: [], unknown: [] }
  const outcome = await pollTasks({
    taskIds,
    pollIntervalMs: 10_000,
    timeoutMs: 600_000,
    source: client(clientOptions),
    clock: time,
    signal: new AbortController().signal,
    events: {
      onRound: (changes, tasks) => {
        for (const { task, previous } of changes) {
          recorded.changes.push(`${task.taskId}:${previous ?? '-'}>${task.state}`)
        }
        recorded.progress.push(tasks.map(task => `${task.taskId}:${task.state}`))
      },
      onUnknownStatus: (taskId, status) => recorded.unknown.push([taskId, status])
    },
    ...options
  })
  return { ...outcome, ...recorded }
}

describe('waiting for tasks against the simulated service', () => {
  it('follows one task through every non-final status to success', async () => {
    sim.addTask('T1', [0, 1, 8, 2, 3])
    const outcome = await poll(['T1'])

    expect(outcome.ending).toBe('finished')
    expect(outcome.changes).toEqual([
      'T1:->queued',
      'T1:queued>waiting',
      'T1:waiting>preprocessing',
      'T1:preprocessing>running',
      'T1:running>succeeded'
    ])
    expect(outcome.tasks[0]).toMatchObject({
      taskId: 'T1',
      status: 3,
      state: 'succeeded',
      final: true,
      finishedAfterMs: 40_000,
      assets: [
        { format: 'ply', url: sim.assetUrl('T1', 'ply') },
        { format: 'spz', url: sim.assetUrl('T1', 'spz') },
        { format: 'sog', url: sim.assetUrl('T1', 'sog') }
      ]
    })
    expect(outcome.progress.map(tasks => tasks.join())).toEqual([
      'T1:queued',
      'T1:waiting',
      'T1:preprocessing',
      'T1:running',
      'T1:succeeded'
    ])
    expect(sim.apiRequests).toHaveLength(5)
    expect(sim.apiRequests.every(request => request.outcome === 'ok')).toBe(true)
    expect(time.sleeps).toEqual([10_000, 10_000, 10_000, 10_000])
  })

  it('sends a fresh timestamp and sign with every request', async () => {
    sim.addTask('T1', [0, 0, 3])
    await poll(['T1'])
    const stamps = sim.apiRequests.map(request => request.query.timestamp)
    const signs = sim.apiRequests.map(request => request.query.sign)
    expect(new Set(stamps).size).toBe(3)
    expect(new Set(signs).size).toBe(3)
    expect(sim.apiRequests[0].query).toMatchObject({
      appkey: DEFAULT_CREDENTIALS.appKey,
      appuid: DEFAULT_CREDENTIALS.appUid
    })
  })

  describe('a batch of three where one fails', () => {
    let outcome: PollOutcome

    beforeEach(async () => {
      sim.addTask('OK1', [0, 2, 3]).addTask('BAD', [0, 4]).addTask('OK2', [2, 2, 2, 3])
      outcome = await poll(['OK1', 'BAD', 'OK2'])
    })

    it('waits for all and groups them', () => {
      expect(outcome.ending).toBe('finished')
      expect(overallState(outcome)).toBe('failed')
      expect(groupTasks(outcome.tasks)).toEqual({
        succeeded: ['OK1', 'OK2'],
        failed: ['BAD'],
        pending: []
      })
      // The failed task is not asked about again once final.
      expect(sim.timesAsked('BAD')).toBe(2)
    })

    it('fails the step under fail-on any, naming the failed task', () => {
      expect(failureReason('any', outcome)).toBe(
        'Not every task succeeded (2 of 3 succeeded; 1 failed: BAD).'
      )
    })

    it('passes under fail-on all, since some succeeded', () => {
      expect(failureReason('all', outcome)).toBeUndefined()
    })

    it('passes under fail-on never', () => {
      expect(failureReason('never', outcome)).toBeUndefined()
    })
  })

  it('fails under fail-on all when no task succeeded', async () => {
    sim.addTask('A', [4]).addTask('B', [7])
    const outcome = await poll(['A', 'B'])
    expect(failureReason('all', outcome)).toBe(
      'No task succeeded (0 of 2 succeeded; 2 failed: A, B).'
    )
    expect(outcome.tasks.map(task => task.state)).toEqual(['failed', 'rejected'])
  })

  it('asks for 120 ids in 3 requests per round, never one per task', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `TASK${i}`)
    ids.forEach(id => sim.addTask(id, [0, 2, 3]))
    const outcome = await poll(ids)

    expect(outcome.ending).toBe('finished')
    expect(outcome.rounds).toBe(3)
    expect(sim.apiRequests.map(request => request.ids?.length)).toEqual([
      50, 50, 20, 50, 50, 20, 50, 50, 20
    ])
    const asked = sim.apiRequests.slice(0, 3).flatMap(request => request.ids)
    expect(asked).toEqual(ids)
  })

  it('waits for a task the service does not return for two rounds', async () => {
    sim.addTask('LATE', { timeline: [2, 3], absentFor: 2 })
    const outcome = await poll(['LATE'])
    expect(outcome.changes).toEqual([
      'LATE:->not-found',
      'LATE:not-found>running',
      'LATE:running>succeeded'
    ])
    expect(outcome.ending).toBe('finished')
    expect(sim.timesAsked('LATE')).toBe(4)
  })

  it('reports a task that never appears as not-found when time runs out', async () => {
    const outcome = await poll(['GHOST'], { timeoutMs: 25_000 })
    expect(outcome.ending).toBe('timed-out')
    expect(outcome.tasks[0]).toMatchObject({ state: 'not-found', final: false })
    expect(groupTasks(outcome.tasks).pending).toEqual(['GHOST'])
  })

  it('warns once about an unknown status and keeps polling', async () => {
    sim.addTask('NEW', [9, 9, 3]).addTask('NEW2', [9, 3])
    const outcome = await poll(['NEW', 'NEW2'])
    expect(outcome.unknown).toEqual([['NEW', 9]])
    expect(outcome.changes).toEqual([
      'NEW:->unknown',
      'NEW2:->unknown',
      'NEW2:unknown>succeeded',
      'NEW:unknown>succeeded'
    ])
    expect(outcome.ending).toBe('finished')
  })

  it('retries HTTP 500 and 429, honouring Retry-After, then succeeds', async () => {
    sim.addTask('T1', [3])
    sim.injectFaults({ kind: 'status', status: 500 }, { kind: 'rate-limit', retryAfter: '7' })
    const outcome = await poll(['T1'])

    expect(outcome.ending).toBe('finished')
    expect(sim.apiRequests.map(request => request.outcome)).toEqual(['status', 'rate-limit', 'ok'])
    // Backoff with random 0.5: half of the 2 s ceiling, at the 1 s floor; then what Retry-After asked.
    expect(time.sleeps).toEqual([1000, 7000])
    expect(new Set(sim.apiRequests.map(request => request.query.sign)).size).toBe(3)
  })

  it('honours Retry-After given as an HTTP date', async () => {
    sim.addTask('T1', [3])
    sim.injectFaults({
      kind: 'rate-limit',
      retryAfter: new Date(time.wallClock() + 12_000).toUTCString()
    })
    await poll(['T1'])
    expect(time.sleeps).toHaveLength(1)
    expect(time.sleeps[0]).toBeGreaterThan(10_000)
    expect(time.sleeps[0]).toBeLessThanOrEqual(12_000)
  })

  it.each([
    ['HTTP 502', { kind: 'status', status: 502 } as const],
    ['HTTP 503', { kind: 'status', status: 503 } as const],
    ['a connection reset', { kind: 'reset' } as const],
    ['a body that is not JSON', { kind: 'not-json' } as const],
    ['an answer slower than the request time limit', { kind: 'slow', ms: 5000 } as const]
  ])('rides out %s', async (_, fault) => {
    sim.addTask('T1', [2, 3])
    sim.injectFaults(fault)
    const retries: string[] = []
    const outcome = await poll(
      ['T1'],
      {},
      { requestTimeoutMs: 300, onRetry: fault => retries.push(fault.kind) }
    )
    expect(outcome.ending).toBe('finished')
    expect(retries).toHaveLength(1)
    expect(sim.apiRequests.map(request => request.outcome)).toEqual([fault.kind, 'ok', 'ok'])
  })

  it.each([
    ['0', '0'],
    ['a date in the past', new Date(Date.now() - 60_000).toUTCString()]
  ])('never storms a service that answers Retry-After %s', async (_, retryAfter) => {
    sim.addTask('T1', [2])
    sim.injectFaults(
      ...Array.from({ length: 100 }, () => ({ kind: 'rate-limit', retryAfter }) as const)
    )
    const outcome = await poll(['T1'], { timeoutMs: 3000 })
    expect(outcome.ending).toBe('timed-out')
    // One try, then one per second at the floor: a handful in 3 s, not hundreds.
    expect(sim.apiRequests.length).toBeLessThanOrEqual(4)
    expect(time.current).toBe(3000)
  })

  it('fails at once on a signature rejection, with c and m', async () => {
    sim.addTask('T1', [2, 3])
    const outcome = await poll(
      ['T1'],
      {},
      { credentials: { ...DEFAULT_CREDENTIALS, appSecret: 'wrong' } }
    )

    expect(outcome.ending).toBe('error')
    expect(outcome.error).toBeInstanceOf(OpenPlatformApiError)
    expect(outcome.error).toMatchObject({ code: '100002', apiMessage: '签名错误' })
    expect((outcome.error as Error).message).toBe('Aholo API error c="100002": 签名错误')
    expect(sim.apiRequests).toHaveLength(1)
    expect(time.sleeps).toEqual([])
  })

  it('fails at once when the timestamp is more than 5 minutes off', async () => {
    sim.addTask('T1', [3])
    const skewed = { ...time, wallClock: () => Date.now() - 6 * 60_000 }
    const outcome = await poll(['T1'], {}, { clock: skewed })
    expect(outcome.error).toMatchObject({ code: '100003' })
    expect(sim.apiRequests).toHaveLength(1)
  })

  it('fails at once on any other business error', async () => {
    sim.addTask('T1', [3])
    sim.injectFaults({ kind: 'api-error', c: '-1', m: '系统繁忙' })
    const outcome = await poll(['T1'])
    expect(outcome.error).toMatchObject({ code: '-1', apiMessage: '系统繁忙' })
  })

  it('stops at the timeout with tasks pending, cutting the last sleep short', async () => {
    sim.addTask('DONE', [0, 3]).addTask('SLOW', [0, 2])
    const outcome = await poll(['DONE', 'SLOW'], { timeoutMs: 35_000 })

    expect(outcome.ending).toBe('timed-out')
    expect(overallState(outcome)).toBe('timed-out')
    // Rounds without a change report no progress.
    expect(outcome.progress.map(tasks => tasks.join())).toEqual([
      'DONE:queued,SLOW:queued',
      'DONE:succeeded,SLOW:running'
    ])
    expect(time.sleeps).toEqual([10_000, 10_000, 10_000, 5000])
    expect(outcome.elapsedMs).toBe(35_000)
    expect(groupTasks(outcome.tasks)).toEqual({
      succeeded: ['DONE'],
      failed: [],
      pending: ['SLOW']
    })
    expect(failureReason('any', outcome)).toBe(
      'Not every task succeeded (1 of 2 succeeded; 1 unfinished: SLOW).'
    )
    expect(failureReason('never', outcome)).toBeUndefined()
  })

  it('gives up on transient faults at the deadline and says which fault it was', async () => {
    sim.addTask('T1', [2])
    sim.injectFaults(
      ...Array.from({ length: 50 }, () => ({ kind: 'status', status: 503 }) as const)
    )
    const outcome = await poll(['T1'], { timeoutMs: 20_000 })
    expect(outcome.ending).toBe('timed-out')
    expect(outcome.lastFault?.message).toBe('HTTP 503')
    // The wait lasts to the deadline, not less.
    expect(time.current).toBe(20_000)
  })

  it('stops promptly when cancelled mid-wait, keeping what it knows', async () => {
    sim.addTask('T1', [0, 2, 3])
    const controller = new AbortController()
    const started = performance.now()
    const outcome = await pollTasks({
      taskIds: ['T1'],
      pollIntervalMs: 60_000,
      timeoutMs: 600_000,
      source: client({ clock: realClock }),
      clock: realClock,
      signal: controller.signal,
      events: { onRound: () => setTimeout(() => controller.abort(new Error('SIGINT')), 50) }
    })
    expect(outcome.ending).toBe('cancelled')
    expect(overallState(outcome)).toBe('cancelled')
    expect(outcome.tasks[0].state).toBe('queued')
    expect(performance.now() - started).toBeLessThan(2000)
    expect(failureReason('never', outcome)).toMatch(/cancelled/)
  })
})
