/**
 * Downloads that overlap the wait, through the step in-process against the simulated open
 * platform: a task's files are fetched in the round it is first seen succeeded, a broken file
 * does not stop the wait, and a cancel ends downloads and polling together.
 *
 * The fake clock is paced: each poll interval also waits 30 ms of real time, so that ten polls
 * take long enough for a download to start among them, however loaded the machine is.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { InputName } from '../src/inputs/contract.js'
import { run } from '../src/main.js'
import type { Clock } from '../src/runtime.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { FakeTime } from './support/fake-time.js'
import { RecordingIO } from './support/recording-io.js'

const SPLATS = path.resolve('__fixtures__/splats')
const PLY = path.join(SPLATS, 'ply/st_1k_sh3.ply')
const SPZ = path.join(SPLATS, 'spz/v4_1k_sh3.spz')
const PACE_MS = 30
/** Open-platform statuses: 2 running, 3 succeeded. */
const RUNNING = 2
const SUCCEEDED = 3

let sim: AholoSim
let time: FakeTime
let home: string

beforeEach(async () => {
  time = new FakeTime()
  sim = await startAholoSim({ now: time.wallClock })
  home = mkdtempSync(path.join(tmpdir(), 'aholo-overlap-'))
})
afterEach(async () => {
  await sim.close()
  rmSync(home, { recursive: true, force: true })
})

function paced(fake: FakeTime): Clock {
  return {
    now: fake.now,
    wallClock: fake.wallClock,
    random: fake.random,
    setTimer: fake.setTimer,
    sleep: async (ms, signal) => {
      await delay(PACE_MS, undefined, { signal }).catch(() => {
        throw signal?.reason
      })
      await fake.sleep(ms, signal)
    }
  }
}

function stepIO(inputs: Partial<Record<InputName, string>>): RecordingIO {
  return new RecordingIO({
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'poll-interval': '10s',
    timeout: '1h',
    ...inputs
  })
}

async function step(io: RecordingIO, signal = new AbortController().signal): Promise<RecordingIO> {
  await run(io, {
    clock: paced(time),
    signal,
    env: { GITHUB_WORKSPACE: path.join(home, 'ws'), RUNNER_TEMP: path.join(home, 'temp') }
  })
  return io
}

/** Index in the sim's log of the n-th (0-based) API request that asked about a task. */
function askedAt(taskId: string, n: number): number {
  const asks = sim.requests.flatMap((request, index) =>
    request.ids?.includes(taskId) ? [index] : []
  )
  if (asks.length <= n) throw new Error(`${taskId} was asked ${asks.length} times, not ${n + 1}`)
  return asks[n]
}

const getOf = (taskId: string, format: 'ply' | 'spz'): number =>
  sim.requests.findIndex(request => request.path === sim.assetPath(taskId, format))

const results = (io: RecordingIO) =>
  JSON.parse(io.outputs.results) as Array<{
    taskId: string
    state: string
    files: Array<{ format: string }>
  }>

describe('downloads during the wait', () => {
  it("requests a task's file in the round it succeeds, before a later task is final", async () => {
    sim.addTask('T1', { timeline: [SUCCEEDED], formats: ['spz'] })
    sim.addTask('T2', { timeline: [...Array(10).fill(RUNNING), SUCCEEDED], formats: ['spz'] })
    sim.addAsset(sim.assetPath('T1', 'spz'), { kind: 'file', path: SPZ })
    sim.addAsset(sim.assetPath('T2', 'spz'), { kind: 'file', path: SPZ })

    const io = await step(stepIO({ 'task-ids': 'T1 T2', download: 'spz' }))

    expect(io.failed).toBeUndefined()
    // T2's eleventh answer is its first final one.
    const t2Final = askedAt('T2', 10)
    expect(sim.requests[t2Final].outcome).toBe('ok')
    expect(getOf('T1', 'spz')).toBeGreaterThan(-1)
    expect(getOf('T1', 'spz')).toBeLessThan(t2Final)
    // Within a few rounds of T1's success, not merely somewhere in the wait.
    expect(getOf('T1', 'spz')).toBeLessThan(askedAt('T2', 4))
    expect(getOf('T2', 'spz')).toBeGreaterThan(t2Final)
    expect(results(io).map(r => r.files.map(f => f.format))).toEqual([['spz'], ['spz']])
  })

  it('goes on waiting after a broken download, and fails at the end naming the file', async () => {
    sim.addTask('T1', { timeline: [SUCCEEDED], formats: ['ply'] })
    sim.addTask('T2', { timeline: [...Array(6).fill(RUNNING), SUCCEEDED], formats: ['ply'] })
    // No T1 asset: the service answers 404.
    sim.addAsset(sim.assetPath('T2', 'ply'), { kind: 'file', path: PLY })

    const io = await step(stepIO({ 'task-ids': 'T1 T2', download: 'ply', 'fail-on': 'never' }))

    const broken = `Task T1, PLY from ${sim.assetUrl('T1', 'ply')}: HTTP 404.`
    expect(io.failed).toBe(`1 of 2 downloads failed: ${broken}`)
    expect(io.outputs.state).toBe('succeeded')
    // The failure was logged while T2 was still running; the wait went on to its success.
    const messages = io.log.map(entry => entry.message)
    const failedAt = messages.indexOf(`Not delivered: ${broken}`)
    const t2DoneAt = messages.findIndex(m => /T2: running → succeeded/.test(m))
    expect(failedAt).toBeGreaterThan(-1)
    expect(failedAt).toBeLessThan(t2DoneAt)
    expect(sim.timesAsked('T2')).toBe(7)
    expect(results(io).map(r => r.files.map(f => f.format))).toEqual([[], ['ply']])
    expect(io.summaries[0]).toContain(`❌ The step failed: 1 of 2 downloads failed: ${broken}`)
  })

  it('ends promptly when cancelled while one task downloads and another is polled', async () => {
    sim.addTask('T1', { timeline: [SUCCEEDED], formats: ['ply', 'spz'] })
    sim.addTask('T2', [RUNNING])
    sim.addAsset(sim.assetPath('T1', 'ply'), { kind: 'file', path: PLY })
    // Far too large to finish before the cancel.
    sim.addAsset(sim.assetPath('T1', 'spz'), { kind: 'generated', bytes: 8 * 1024 ** 3 })
    const controller = new AbortController()
    const io = stepIO({ 'task-ids': 'T1 T2', download: 'ply spz' })
    let cancelledAt = 0
    let askedBeforeCancel = 0
    const info = io.info
    io.info = message => {
      info(message)
      if (!cancelledAt && /^T1 PLY: .* splats/.test(message)) {
        cancelledAt = -1
        setTimeout(() => {
          askedBeforeCancel = sim.timesAsked('T2')
          cancelledAt = performance.now()
          controller.abort(new Error('Cancelled: received SIGINT'))
        }, 150)
      }
    }

    await step(io, controller.signal)

    expect(cancelledAt).toBeGreaterThan(0)
    expect(performance.now() - cancelledAt).toBeLessThan(2000)
    // The SPZ was on its way and T2 was being polled when the cancel came.
    expect(getOf('T1', 'spz')).toBeGreaterThan(-1)
    expect(askedBeforeCancel).toBeGreaterThan(1)
    expect(sim.timesAsked('T2')).toBeLessThanOrEqual(askedBeforeCancel + 1)
    expect(io.outputs.state).toBe('cancelled')
    expect(io.failed).toMatch(/cancelled/i)
    const [t1, t2] = results(io)
    expect(t1.files.map(f => f.format)).toEqual(['ply'])
    expect(t2.state).toBe('running')
    const folder = path.join(home, 'ws', 'aholo-assets', 'T1')
    expect(readdirSync(folder)).toEqual(['point_cloud.ply'])
    expect(readFileSync(path.join(folder, 'point_cloud.ply')).equals(readFileSync(PLY))).toBe(true)
  })
})
