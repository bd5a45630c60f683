/**
 * The step in-process: run(io, runtime) against the simulated services, with a recording
 * ActionIO and a fake clock. No module is mocked; every request is real HTTP on 127.0.0.1.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { InputName } from '../src/inputs/contract.js'
import { run } from '../src/main.js'
import { CancelledError } from '../src/errors.js'
import { realClock, type Runtime } from '../src/runtime.js'
import { startGitHubApi, type GitHubApiStub } from '../sim/github-api.js'
import { DEFAULT_API_KEY, risingTimeline, startWorldSim, type WorldSim } from '../sim/world.js'
import { LUX3D_API_KEY, type Lux3dSim, lux3dTimeline, startLux3dSim } from '../sim/lux3d.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { FakeTime } from './support/fake-time.js'
import { RecordingIO } from './support/recording-io.js'

const PLY = path.resolve('__fixtures__/splats/ply/st_1k_sh3.ply')
const SOG = path.resolve('__fixtures__/splats/sog/bundled_1k_sh3.sog')

let sim: AholoSim
let time: FakeTime
let home: string

beforeEach(async () => {
  time = new FakeTime()
  sim = await startAholoSim({ now: time.wallClock })
  home = mkdtempSync(path.join(tmpdir(), 'aholo-main-'))
})
afterEach(async () => {
  await sim.close()
  rmSync(home, { recursive: true, force: true })
})

function openPlatform(
  inputs: Partial<Record<InputName, string>> = {}
): Partial<Record<InputName, string>> {
  return {
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'poll-interval': '10s',
    ...inputs
  }
}

async function step(
  inputs: Partial<Record<InputName, string>>,
  options: {
    signal?: AbortSignal
    env?: NodeJS.ProcessEnv
    clock?: Runtime['clock']
    summaryFile?: boolean
  } = {}
): Promise<RecordingIO> {
  const io = new RecordingIO(inputs, options.summaryFile ?? true)
  await run(io, {
    clock: options.clock ?? time,
    signal: options.signal ?? new AbortController().signal,
    env: {
      GITHUB_WORKSPACE: path.join(home, 'workspace'),
      RUNNER_TEMP: path.join(home, 'temp'),
      ...options.env
    }
  })
  return io
}

describe('the step against the simulated open platform', () => {
  it('waits for two tasks to succeed and sets every output', async () => {
    sim.addTask('A1', [0, 2, 3]).addTask('B2', [2, 3])
    const io = await step(openPlatform({ 'task-ids': 'A1 B2' }))

    expect(io.failed).toBeUndefined()
    expect(io.outputs.state).toBe('succeeded')
    expect(JSON.parse(io.outputs.succeeded)).toEqual(['A1', 'B2'])
    expect(JSON.parse(io.outputs['ply-urls'])).toEqual([
      sim.assetUrl('A1', 'ply'),
      sim.assetUrl('B2', 'ply')
    ])
    expect(io.outputs['ply-url']).toBe(sim.assetUrl('A1', 'ply'))
    const results = JSON.parse(io.outputs.results)
    expect(results.map((r: { state: string }) => r.state)).toEqual(['succeeded', 'succeeded'])
    expect(JSON.parse(readFileSync(io.outputs['results-file'], 'utf8'))).toEqual(results)
    expect(io.lines('info')).toEqual(
      expect.arrayContaining([
        '[0ms] A1: queued',
        '[0ms] B2: running',
        '[20s] A1: running → succeeded'
      ])
    )
    expect(io.summaries[0]).toContain('all tasks succeeded')
    // Written once, since no download changed them.
    expect(io.outputWrites.results).toBe(1)
    expect(io.lines('warning')).toEqual([])
  })

  it('fails the step under fail-on any when a task fails, naming it', async () => {
    sim.addTask('OK', [3]).addTask('BAD', [4])
    const io = await step(openPlatform({ 'task-ids': 'OK BAD' }))
    expect(io.outputs.state).toBe('failed')
    expect(io.failed).toBe('Not every task succeeded (1 of 2 succeeded; 1 failed: BAD).')
    expect(io.summaries[0]).toContain('❌ The step failed: Not every task succeeded')
  })

  it('passes with a warning under fail-on never', async () => {
    sim.addTask('BAD', [4])
    const io = await step(openPlatform({ 'task-ids': 'BAD', 'fail-on': 'never' }))
    expect(io.failed).toBeUndefined()
    expect(io.outputs.state).toBe('failed')
    expect(io.lines('warning')).toEqual(['0 of 1 succeeded; 1 failed: BAD'])
  })

  it('times out at the deadline, not before, reporting the unfinished task', async () => {
    sim.addTask('SLOW', [2])
    const io = await step(openPlatform({ 'task-ids': 'SLOW', timeout: '35s' }))
    expect(io.outputs.state).toBe('timed-out')
    expect(JSON.parse(io.outputs.pending)).toEqual(['SLOW'])
    expect(time.current).toBe(35_000)
    expect(io.failed).toMatch(/^Timed out after 35s \(the 'timeout' input\)\./)
  })

  it('waits to the deadline when the service asks to retry after an hour', async () => {
    sim.addTask('T1', [2])
    sim.injectFaults({ kind: 'rate-limit', retryAfter: '3600' })
    const io = await step(openPlatform({ 'task-ids': 'T1', timeout: '10m' }))
    expect(io.outputs.state).toBe('timed-out')
    expect(time.current).toBe(600_000)
    expect(io.failed).toContain("the service asked to retry after 1h, beyond the 'timeout'")
  })

  it('fails at once on a signature error, with the hint and without the secret', async () => {
    sim.addTask('T1', [3])
    const io = await step(openPlatform({ 'task-ids': 'T1', 'app-secret': 'a-wrong-secret-value' }))
    expect(io.failed).toContain('Aholo API error c="100002"')
    expect(io.failed).toContain(
      "check 'app-key', 'app-secret' and 'app-uid', and the runner's clock"
    )
    expect(io.failed).not.toMatch(/5 minutes/)
    expect(io.visibleText()).not.toContain('a-wrong-secret-value')
    expect(io.secrets).toContain('a-wrong-secret-value')
    expect(sim.apiRequests).toHaveLength(1)
  })

  it('reports every input problem at once, before any request', async () => {
    const io = await step(
      openPlatform({ 'task-ids': 'bad!id', timeout: '597h', 'fail-on': 'sometimes' })
    )
    expect(io.failed).toMatch(/^3 inputs are invalid/)
    expect(io.failed).toContain("'timeout' must be at most 24 days")
    expect(sim.requests).toHaveLength(0)
    expect(io.outputs).toEqual({})
  })

  it('warns once per kind of fault and rides them out', async () => {
    sim.addTask('T1', [3])
    sim.injectFaults(
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503 },
      { kind: 'reset' }
    )
    const io = await step(openPlatform({ 'task-ids': 'T1' }))
    expect(io.outputs.state).toBe('succeeded')
    const warnings = io.lines('warning')
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/^Aholo API: HTTP 503; retrying in 1s \(attempt 2\)\./)
  })

  it('says which ids the service answered without being asked, and when only case differs', async () => {
    sim.addTask('ABC123', { timeline: [3], answerAs: 'abc123' })
    const io = await step(openPlatform({ 'task-ids': 'ABC123', timeout: '25s' }))
    expect(io.outputs.state).toBe('timed-out')
    const warnings = io.lines('warning').filter(line => !line.startsWith("'timeout'"))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('abc123 (differs from the asked-for ABC123 only in case)')
    expect(warnings[0]).toContain("check the case of 'task-ids'")
  })

  it('keeps credentials out of everything shown when the service echoes the request', async () => {
    sim.addTask('T1', [3])
    sim.injectFaults({ kind: 'echo-query-text' }, { kind: 'echo-query' })
    const io = await step(openPlatform({ 'task-ids': 'T1' }))
    expect(io.failed).toContain('bad request')
    const shown = io.visibleText()
    expect(shown).not.toContain(DEFAULT_CREDENTIALS.appKey)
    expect(shown).not.toContain(DEFAULT_CREDENTIALS.appUid)
    expect(shown).not.toMatch(/[0-9a-f]{32}/)
    expect(shown).not.toMatch(/\d{13}/)
  })

  it('caps a huge message from the service at 2 KiB', async () => {
    sim.addTask('T1', [3])
    sim.injectFaults({ kind: 'huge-message', bytes: 200_000 })
    const io = await step(openPlatform({ 'task-ids': 'T1' }))
    expect(io.failed).toContain("more bytes of the server's text left out")
    expect(io.failed!.length).toBeLessThan(3000)
    expect(Math.max(...io.summaries.map(s => s.length))).toBeLessThan(8000)
  })

  it.each(['bom', 'gzip'] as const)('reads an answer sent with a %s', async style => {
    sim.addTask('T1', [3])
    sim.answerStyle = style
    const io = await step(openPlatform({ 'task-ids': 'T1' }))
    expect(io.outputs.state).toBe('succeeded')
  })

  it('stops when cancelled mid-wait, with outputs and a summary, within a moment', async () => {
    sim.addTask('T1', [0, 2, 3])
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('Cancelled: received SIGINT')), 200)
    const started = performance.now()
    const io = await step(openPlatform({ 'task-ids': 'T1', 'poll-interval': '60s' }), {
      signal: controller.signal,
      clock: realClock
    })
    expect(performance.now() - started).toBeLessThan(2000)
    expect(io.outputs.state).toBe('cancelled')
    expect(io.failed).toMatch(/cancelled/)
    expect(io.summaries[0]).toContain('cancelled')
  })
})

describe('early checks, before any request', () => {
  it('refuses a download-dir that is a file', async () => {
    const file = path.join(home, 'a-file')
    writeFileSync(file, 'x')
    const io = await step(openPlatform({ 'task-ids': 'T1', download: 'ply', 'download-dir': file }))
    expect(io.failed).toContain(`'download-dir' (${file}) cannot be written`)
    expect(sim.requests).toHaveLength(0)
  })

  it('refuses a read-only download-dir', async () => {
    if (process.getuid?.() === 0) {
      // Root writes anywhere: a read-only folder cannot be made here, so prove the probe with
      // a path under a file instead, which no user can create.
      const file = path.join(home, 'blocker')
      writeFileSync(file, 'x')
      const io = await step(
        openPlatform({ 'task-ids': 'T1', download: 'ply', 'download-dir': path.join(file, 'sub') })
      )
      expect(io.failed).toContain('cannot be written')
      expect(sim.requests).toHaveLength(0)
      return
    }
    const folder = path.join(home, 'read-only')
    writeFileSync(path.join(home, 'placeholder'), '')
    rmSync(folder, { recursive: true, force: true })
    mkdirSync(folder)
    chmodSync(folder, 0o500)
    const io = await step(
      openPlatform({ 'task-ids': 'T1', download: 'ply', 'download-dir': folder })
    )
    expect(io.failed).toContain('cannot be written')
    expect(sim.requests).toHaveLength(0)
  })

  it('refuses upload-artifact on GitHub Enterprise Server', async () => {
    const io = await step(
      openPlatform({ 'task-ids': 'T1', download: 'ply', 'upload-artifact': 'true' }),
      {
        env: { GITHUB_SERVER_URL: 'https://github.example.com' }
      }
    )
    expect(io.failed).toContain('GitHub Enterprise Server')
    expect(io.failed).toContain('actions/upload-artifact@v3')
    expect(sim.requests).toHaveLength(0)
  })
})

describe('downloads', () => {
  it('downloads and verifies the chosen files, listing them in results', async () => {
    sim.addTask('A1', { timeline: [3], formats: ['ply'] })
    sim.addAsset(sim.assetPath('A1', 'ply'), { kind: 'file', path: PLY })
    const io = await step(openPlatform({ 'task-ids': 'A1', download: 'ply' }))
    expect(io.failed).toBeUndefined()
    const [result] = JSON.parse(io.outputs.results)
    expect(result.files).toEqual([
      expect.objectContaining({ format: 'ply', bytes: readFileSync(PLY).length, gaussians: 1000 })
    ])
    expect(io.outputs['download-dir']).toBe(path.join(home, 'workspace', 'aholo-assets'))
    expect(io.outputWrites.results).toBe(2)
  })

  it('keeps the download lines of a task that succeeded in the last round inside the wait group', async () => {
    sim.addTask('A1', { timeline: [2, 3], formats: ['ply'] })
    sim.addAsset(sim.assetPath('A1', 'ply'), { kind: 'file', path: PLY })
    const io = await step(openPlatform({ 'task-ids': 'A1', download: 'ply' }))
    expect(io.failed).toBeUndefined()
    const levels = io.log.map(entry => entry.level)
    const lastDownloadLine = io.log.findLastIndex(entry => entry.message.startsWith('A1 PLY: '))
    expect(io.log[lastDownloadLine].message).toMatch(/^A1 PLY: .*1,000 splats/)
    expect(levels.filter(level => level === 'group' || level === 'endgroup')).toEqual([
      'group',
      'endgroup'
    ])
    expect(levels.indexOf('group')).toBeLessThan(lastDownloadLine)
    expect(levels.indexOf('endgroup')).toBeGreaterThan(lastDownloadLine)
  })
})

describe('the check run', () => {
  let github: GitHubApiStub
  beforeEach(async () => {
    github = await startGitHubApi()
  })
  afterEach(async () => {
    await github.close()
  })

  const TOKEN = 'ghs_mainTestTokenNeverShown'
  const runnerEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: 'octo-org/splats',
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_RUN_ID: '7',
    ...extra
  })

  it('fails with state cancelled for a cancel during the completing call of the check run', async () => {
    github.behave('update', { hang: true, completingOnly: true })
    sim.addTask('A1', [3])
    const controller = new AbortController()
    const completing = (): boolean =>
      github.requests.some(request => (request.body as { status?: string }).status === 'completed')
    let cancelledAt = 0
    const watcher = setInterval(() => {
      if (!completing()) return
      clearInterval(watcher)
      cancelledAt = performance.now()
      controller.abort(new CancelledError('Cancelled: received SIGINT'))
    }, 10)
    const io = await step(openPlatform({ 'task-ids': 'A1', 'github-token': TOKEN }), {
      env: runnerEnv(),
      signal: controller.signal,
      clock: realClock
    })
    clearInterval(watcher)
    expect(cancelledAt).toBeGreaterThan(0)
    expect(performance.now() - cancelledAt).toBeLessThan(2000)
    expect(io.outputs.state).toBe('cancelled')
    expect(io.failed).toBe('The run was cancelled while the check run was being completed.')
    expect(io.summaries.join('')).toContain(
      '🚫 The run was cancelled while the check run was being completed.'
    )
  })

  it('is created on the commit, shows progress, and completes with the outcome', async () => {
    sim.addTask('A1', [0, 2, 2, 2, 2, 3]).addTask('B2', [4])
    const io = await step(openPlatform({ 'task-ids': 'A1 B2', 'github-token': TOKEN }), {
      env: runnerEnv()
    })
    const [run] = [...github.checkRuns.values()]
    expect(run).toMatchObject({
      head_sha: 'c'.repeat(40),
      status: 'completed',
      conclusion: 'failure'
    })
    expect((run.output as { title: string }).title).toBe('1 of 2 tasks failed, 1 succeeded')
    expect(io.outputs['check-run-url']).toMatch(/^https:\/\//)
    expect(io.visibleText()).not.toContain(TOKEN)
    expect(io.secrets).toContain(TOKEN)
  })

  it('goes on the pull request head, read from the event payload', async () => {
    const event = path.join(home, 'event.json')
    writeFileSync(event, JSON.stringify({ pull_request: { head: { sha: 'd'.repeat(40) } } }))
    sim.addTask('A1', [3])
    await step(openPlatform({ 'task-ids': 'A1', 'github-token': TOKEN }), {
      env: runnerEnv({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event })
    })
    expect([...github.checkRuns.values()][0]).toMatchObject({
      head_sha: 'd'.repeat(40),
      conclusion: 'success'
    })
  })

  it('is left out, with a warning, when the runner says nothing of the repository', async () => {
    sim.addTask('A1', [3])
    const io = await step(openPlatform({ 'task-ids': 'A1', 'github-token': TOKEN }))
    expect(io.lines('warning')[0]).toMatch(/^No check run is made: GITHUB_REPOSITORY must be/)
    expect(io.outputs.state).toBe('succeeded')
    expect(github.requests).toHaveLength(0)
  })

  it('is completed as failed when the step breaks after it was created', async () => {
    sim.addTask('A1', [3])
    // The runner's log going away mid-step: nothing the step itself can recover from.
    const io = new RecordingIO(openPlatform({ 'task-ids': 'A1', 'github-token': TOKEN }))
    io.startGroup = () => {
      throw new Error('EPIPE: the runner stopped reading the log')
    }
    await run(io, {
      clock: time,
      signal: new AbortController().signal,
      env: { GITHUB_WORKSPACE: path.join(home, 'workspace'), ...runnerEnv() }
    })
    expect(io.failed).toContain('EPIPE')
    const [run_] = [...github.checkRuns.values()]
    expect(run_).toMatchObject({ status: 'completed', conclusion: 'failure' })
    expect((run_.output as { title: string }).title).toBe('The action failed')
  })

  it('writes the outputs and the summary when RUNNER_TEMP cannot hold results-file', async () => {
    sim.addTask('A1', [3])
    const blocker = path.join(home, 'not-a-folder')
    writeFileSync(blocker, 'x')
    const io = await step(openPlatform({ 'task-ids': 'A1', 'github-token': TOKEN }), {
      env: runnerEnv({ RUNNER_TEMP: blocker })
    })
    expect(io.failed).toBeUndefined()
    expect(io.outputs.state).toBe('succeeded')
    expect(io.summaries[0]).toContain('all tasks succeeded')
    expect(io.lines('warning').join('\n')).toMatch(/Could not write 'results-file'.*RUNNER_TEMP/)
    const [check] = [...github.checkRuns.values()]
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' })
  })
})

describe('the matrix output', () => {
  const ids = (count: number): string[] =>
    Array.from({ length: count }, (_, i) => `M${String(i).padStart(4, '0')}`)
  const matrixOf = (io: RecordingIO) =>
    JSON.parse(io.outputs.matrix) as { include: Array<Record<string, string>> }

  it('is {"include":[]} with no succeeded task, and warns about nothing', async () => {
    sim.addTask('F1', [4])
    const io = await step(openPlatform({ 'task-ids': 'F1', 'fail-on': 'never' }))
    expect(io.outputs.state).toBe('failed')
    expect(io.outputs.matrix).toBe('{"include":[]}')
    expect(io.lines('warning').filter(line => line.includes('matrix'))).toEqual([])
  })

  it('holds one entry per succeeded task with its task-id, state and asset URLs', async () => {
    sim.addTask('A1', { timeline: [3], formats: ['ply', 'sog'] }).addTask('B1', [4])
    const io = await step(openPlatform({ 'task-ids': 'A1 B1', 'fail-on': 'never' }))
    expect(matrixOf(io)).toEqual({
      include: [
        {
          'task-id': 'A1',
          state: 'succeeded',
          'ply-url': sim.assetUrl('A1', 'ply'),
          'sog-url': sim.assetUrl('A1', 'sog')
        }
      ]
    })
    expect(io.lines('warning')).toEqual(['1 of 2 succeeded; 1 failed: B1'])
  })

  it('holds all 256 succeeded tasks, in input order, without a warning', async () => {
    ids(256).forEach(id => sim.addTask(id, [3]))
    const io = await step(openPlatform({ 'task-ids': ids(256).join(' ') }))
    const { include } = matrixOf(io)
    expect(include.map(entry => entry['task-id'])).toEqual(ids(256))
    expect(include[255]).toEqual({
      'task-id': 'M0255',
      state: 'succeeded',
      'ply-url': sim.assetUrl('M0255', 'ply'),
      'spz-url': sim.assetUrl('M0255', 'spz'),
      'sog-url': sim.assetUrl('M0255', 'sog')
    })
    // results is shortened at this scale (its own warning); the matrix is not.
    expect(io.lines('warning').filter(line => line.includes("'matrix'"))).toEqual([])
  })

  it('holds the first 256 of 300, with one warning naming the 44 left out and results-file', async () => {
    ids(300).forEach(id => sim.addTask(id, [3]))
    const io = await step(openPlatform({ 'task-ids': ids(300).join(' ') }))
    const { include } = matrixOf(io)
    expect(include.map(entry => entry['task-id'])).toEqual(ids(256))
    const warnings = io.lines('warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      ` The 'matrix' output holds the first 256 of 300 succeeded tasks (a matrix runs at most 256 jobs): 44 were left out. The full results are in the file named by the 'results-file' output (${io.outputs['results-file']}).`
    )
    const total = Object.entries(io.outputs).reduce(
      (sum, [k, v]) => sum + 2 * (k.length + v.length),
      0
    )
    expect(total).toBeLessThan(512 * 1024)
    expect(JSON.parse(readFileSync(io.outputs['results-file'], 'utf8'))).toHaveLength(300)
  })
})

describe('what the step shows at scale and without a summary file', () => {
  it('shortens outputs for 3000 tasks with one warning pointing at results-file', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `T${String(i).padStart(5, '0')}`)
    ids.forEach(id => sim.addTask(id, [3]))
    const io = await step(openPlatform({ 'task-ids': ids.join(' ') }))
    expect(io.outputs.state).toBe('succeeded')
    const total = Object.entries(io.outputs).reduce(
      (sum, [k, v]) => sum + 2 * (k.length + v.length),
      0
    )
    expect(total).toBeLessThan(512 * 1024)
    const warnings = io.lines('warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('results (taskId, status and state')
    expect(warnings[0]).toContain(
      "The 'matrix' output holds the first 256 of 3000 succeeded tasks (a matrix runs at most 256 jobs): 2744 were left out."
    )
    expect(warnings[0]).toContain(`'results-file' output (${io.outputs['results-file']})`)
    const full = JSON.parse(readFileSync(io.outputs['results-file'], 'utf8'))
    expect(full).toHaveLength(3000)
    expect(full[2999].plyPath).toBe(sim.assetUrl('T02999', 'ply'))
  })

  it('says so at debug level when the runner gives no summary file', async () => {
    sim.addTask('A1', [3])
    const io = await step(openPlatform({ 'task-ids': 'A1' }), { summaryFile: false })
    expect(io.lines('debug')).toContain('GITHUB_STEP_SUMMARY is not set; no job summary written.')
  })
})

describe('the step against the simulated World gateway', () => {
  let world: WorldSim
  beforeEach(async () => {
    world = await startWorldSim({ now: time.now })
  })
  afterEach(async () => {
    await world.close()
  })

  const worldInputs = (
    inputs: Partial<Record<InputName, string>> = {}
  ): Partial<Record<InputName, string>> => ({
    'api-key': DEFAULT_API_KEY,
    'api-url': world.url,
    'poll-interval': '10s',
    ...inputs
  })

  it('follows two worlds to success, logging progress, with covers and details', async () => {
    world
      .addWorld('W1', risingTimeline(20_000))
      .addWorld('W2', { timeline: risingTimeline(30_000), lod: true, pano: true })
    const io = await step(worldInputs({ 'task-ids': 'W1 W2' }))
    expect(io.failed).toBeUndefined()
    expect(io.outputs.state).toBe('succeeded')
    const info = io.lines('info')
    expect(info.some(line => /W1: preprocessing → running 40%/.test(line))).toBe(true)
    expect(info.some(line => /W2: running 70%/.test(line))).toBe(true)
    const [w1, w2] = JSON.parse(io.outputs.results)
    expect(w1).toMatchObject({
      taskId: 'W1',
      status: 'SUCCEEDED',
      state: 'succeeded',
      sogPath: null
    })
    expect(w1.plyPath).toBe(world.assetUrl('W1', 'ply'))
    expect(w2).toMatchObject({ upAxis: 'Z' })
    expect(w2.lodMetaPath).toEqual(expect.any(String))
    expect(w2.panoUrl).toEqual(expect.any(String))
    // The sim's covers are plain http: the summary shows images only from https URLs.
    expect(w1.cover).toMatch(/^http:.*W1\.jpg$/)
    expect(io.summaries[0]).not.toContain('<img')
    expect(io.lines('group')[0]).toContain('the Aholo World gateway (region cn)')
  })

  it('downloads PLY, and gives a notice rather than an error for a world without SOG', async () => {
    world.addWorld('W1', risingTimeline(10_000))
    world.addAsset(world.assetPath('W1', 'ply'), { kind: 'file', path: PLY })
    const io = await step(worldInputs({ 'task-ids': 'W1', download: 'ply sog' }))
    expect(io.failed).toBeUndefined()
    expect(io.lines('notice')).toEqual([
      'Not downloaded, since the service gave no URL: W1 has no SOG file.'
    ])
    const [result] = JSON.parse(io.outputs.results)
    expect(result.sogPath).toBeNull()
    expect(result.assets.map((asset: { format: string }) => asset.format)).toEqual(['ply', 'spz'])
    expect(io.outputs['sog-url']).toBe('')
    expect(JSON.parse(io.outputs['sog-urls'])).toEqual([])
    expect(result.files).toEqual([expect.objectContaining({ format: 'ply', gaussians: 1000 })])
  })

  it('reads a World sogPath into the outputs, downloads and verifies it as on the open platform', async () => {
    world
      .addWorld('W1', { timeline: risingTimeline(10_000), sog: true })
      .addWorld('W2', risingTimeline(10_000))
    world.addAsset(world.assetPath('W1', 'sog'), { kind: 'file', path: SOG })
    const io = await step(worldInputs({ 'task-ids': 'W1 W2', download: 'sog' }))
    expect(io.failed).toBeUndefined()
    const url = world.assetUrl('W1', 'sog')
    expect(io.outputs['sog-url']).toBe(url)
    expect(JSON.parse(io.outputs['sog-urls'])).toEqual([url])
    const [w1, w2] = JSON.parse(io.outputs.results)
    expect(w1.sogPath).toBe(url)
    expect(w1.assets).toContainEqual({ format: 'sog', url })
    expect(w1.files).toEqual([
      expect.objectContaining({ format: 'sog', gaussians: 1000, version: 'sog-v2', shDegree: 3 })
    ])
    expect(readFileSync(w1.files[0].path).length).toBe(readFileSync(SOG).length)
    expect(w2.sogPath).toBeNull()
    expect(io.lines('notice')).toEqual([
      'Not downloaded, since the service gave no URL: W2 has no SOG file.'
    ])
  })

  it('fails the step for a World SOG that does not verify', async () => {
    world.addWorld('W1', { timeline: risingTimeline(10_000), sog: true })
    world.addAsset(world.assetPath('W1', 'sog'), { kind: 'file', path: PLY })
    const io = await step(worldInputs({ 'task-ids': 'W1', download: 'sog' }))
    expect(io.failed).toMatch(/Task W1, SOG from .*: the bytes say PLY/)
  })

  it('fails at once on a wrong key, naming api-key, and never shows it, though the gateway echoes it', async () => {
    await world.close()
    world = await startWorldSim({ now: time.now, echoKeyInErrors: true })
    world.addWorld('W1', risingTimeline(10_000))
    const io = await step(worldInputs({ 'task-ids': 'W1', 'api-key': 'sk-wrong-key-never-shown' }))
    expect(io.failed).toContain("'api-key'")
    expect(io.failed).toContain('Invalid API key (***)')
    expect(io.visibleText()).not.toContain('sk-wrong-key-never-shown')
    expect(readFileSync(io.outputs['results-file'], 'utf8')).not.toContain('sk-wrong')
    expect(world.apiRequests).toHaveLength(1)
    // A setup failure, not a missing world.
    expect(io.summaries[0]).toContain('⛔ the API refused the credentials')
    expect(io.summaries[0]).toContain('| `W1` | ➖ not checked |')
  })

  it('fails at once on a world of another account, whatever fail-on says', async () => {
    world.addWorld('W1', { timeline: risingTimeline(10_000), account: 'someone-else' })
    const io = await step(worldInputs({ 'task-ids': 'W1', 'fail-on': 'never' }))
    expect(io.failed).toContain('W1')
    expect(io.outputs.state).toBe('failed')
  })

  it('warns once about a world that is not found, naming the region, and waits for it', async () => {
    world.addWorld('W1', { timeline: risingTimeline(10_000), absentFor: 2 })
    const io = await step(worldInputs({ 'task-ids': 'W1' }))
    expect(io.outputs.state).toBe('succeeded')
    const warnings = io.lines('warning').filter(line => line.includes('W1'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('cn')
  })

  it('never shows the key anywhere', async () => {
    world.addWorld('W1', risingTimeline(10_000))
    const io = await step(worldInputs({ 'task-ids': 'W1' }))
    expect(io.visibleText()).not.toContain(DEFAULT_API_KEY)
    expect(io.secrets).toContain(DEFAULT_API_KEY)
  })
})

describe('the step against the simulated Lux3D API', () => {
  let lux3d: Lux3dSim
  beforeEach(async () => {
    lux3d = await startLux3dSim({ now: time.now })
  })
  afterEach(async () => {
    await lux3d.close()
  })

  const lux3dInputs = (
    inputs: Partial<Record<InputName, string>> = {}
  ): Partial<Record<InputName, string>> => ({
    provider: 'lux3d',
    'api-key': LUX3D_API_KEY,
    'api-url': lux3d.url,
    'poll-interval': '10s',
    ...inputs
  })

  it('follows tasks to their ends, with their outputs as assets, and downloads the PLY', async () => {
    lux3d
      .addTask('9007199254740993', { timeline: lux3dTimeline(10_000), outputs: { model: 'v3' } })
      .addTask('2', { timeline: lux3dTimeline(20_000), outputs: { model: 'G1', ply: true } })
      .addTask('3', lux3dTimeline(10_000, 6))
    const io = await step(lux3dInputs({ 'task-ids': '9007199254740993 2 3', download: 'ply spz' }))
    expect(io.failed).toContain('3')
    expect(io.outputs.state).toBe('failed')
    expect(JSON.parse(io.outputs.succeeded)).toEqual(['9007199254740993', '2'])
    const results = JSON.parse(io.outputs.results)
    expect(
      results.map((r: { assets: Array<{ format: string }> }) => r.assets.map(a => a.format))
    ).toEqual([['zip', 'glb', 'usdz', 'obj', 'fbx'], ['zip', 'glb', 'ply'], []])
    expect(results[2]).toMatchObject({ taskId: '3', status: 6, state: 'cancelled' })
    expect(results[1].files).toEqual([expect.objectContaining({ format: 'ply', gaussians: 1000 })])
    expect(JSON.parse(io.outputs['glb-urls'])).toHaveLength(2)
    expect(io.lines('notice')).toContainEqual(
      expect.stringMatching(/^SPZ cannot be downloaded from the Aholo Lux3D API \(region cn\)/)
    )
    expect(io.lines('group')[0]).toContain('the Aholo Lux3D API (region cn)')
    expect(io.visibleText()).not.toContain(LUX3D_API_KEY)
  })

  it('fails at once on an envelope error, showing c and m with the key taken out', async () => {
    lux3d.addTask('1', lux3dTimeline(10_000))
    lux3d.injectFaults({
      kind: 'envelope',
      c: 'AUTH_MISMATCH',
      m: `key ${LUX3D_API_KEY} not allowed`
    })
    const io = await step(lux3dInputs({ 'task-ids': '1', 'fail-on': 'never' }))
    expect(io.failed).toContain('HTTP 200 (c AUTH_MISMATCH: key *** not allowed)')
    expect(io.visibleText()).not.toContain(LUX3D_API_KEY)
    expect(lux3d.apiRequests).toHaveLength(1)
  })

  it('refuses ids that are not Lux3D ids before any request', async () => {
    const io = await step(lux3dInputs({ 'task-ids': '3FO4K4WBNNYV' }))
    expect(io.failed).toContain("With 'provider: lux3d' each id is a whole number of 1-19 digits")
    expect(lux3d.requests).toEqual([])
  })
})
