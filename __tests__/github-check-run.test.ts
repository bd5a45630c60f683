import { Redactor } from '../src/report/redact.js'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CheckRunTarget, checkRunTarget } from '../src/github/check-target.js'
import {
  type CheckRun,
  type CheckRunOptions,
  NULL_CHECK_RUN,
  startCheckRun
} from '../src/github/check-run.js'
import { Throttle } from '../src/github/throttle.js'
import {
  CHECK_OUTPUT_LIMIT_BYTES,
  type CheckOutput,
  checkTitle,
  fitCheckOutput,
  fitOutput
} from '../src/report/check-text.js'
import { realClock } from '../src/runtime.js'
import { type GitHubApiStub, startGitHubApi } from '../sim/github-api.js'
import { FakeTime } from './support/fake-time.js'

const TOKEN = 'ghs_test-token-that-must-never-be-logged'
const HEAD_SHA = 'a'.repeat(40)
const PR_HEAD_SHA = 'b'.repeat(40)
const WALL_CLOCK = Date.parse('2025-01-02T03:04:05.000Z')
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RUN_URL = 'https://github.example/octo/splats/runs/4242'

describe('checkRunTarget', () => {
  const base = {
    GITHUB_REPOSITORY: 'octo/splats',
    GITHUB_SHA: HEAD_SHA,
    GITHUB_EVENT_PATH: '/runner/event.json'
  }
  const prEvent = JSON.stringify({ pull_request: { number: 7, head: { sha: PR_HEAD_SHA } } })
  const noFile = (): string => {
    throw new Error('the event file must not be read')
  }

  it('targets GITHUB_SHA on a push', () => {
    const target = checkRunTarget({ ...base, GITHUB_EVENT_NAME: 'push' }, noFile)
    expect(target).toEqual({
      owner: 'octo',
      repo: 'splats',
      headSha: HEAD_SHA,
      apiUrl: 'https://api.github.com'
    })
  })

  it.each(['pull_request', 'pull_request_target'])(
    "targets the pull request's head commit from the event payload on %s",
    eventName => {
      const read = (file: string): string => {
        expect(file).toBe('/runner/event.json')
        return prEvent
      }
      expect(checkRunTarget({ ...base, GITHUB_EVENT_NAME: eventName }, read).headSha).toBe(
        PR_HEAD_SHA
      )
    }
  )

  it('uses GitHub Enterprise API and server URLs and links the workflow run', () => {
    const target = checkRunTarget(
      {
        ...base,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
        GITHUB_SERVER_URL: 'https://ghe.example.com',
        GITHUB_RUN_ID: '123456'
      },
      noFile
    )
    expect(target.apiUrl).toBe('https://ghe.example.com/api/v3')
    expect(target.detailsUrl).toBe('https://ghe.example.com/octo/splats/actions/runs/123456')
  })

  it('throws a clear error when GITHUB_REPOSITORY is missing or malformed', () => {
    expect(() => checkRunTarget({ GITHUB_SHA: HEAD_SHA }, noFile)).toThrow(
      "GITHUB_REPOSITORY must be 'owner/repo' to create a check run; got nothing"
    )
    expect(() =>
      checkRunTarget({ GITHUB_SHA: HEAD_SHA, GITHUB_REPOSITORY: 'octo' }, noFile)
    ).toThrow("got 'octo'")
  })

  it('throws naming the event file when a pull request payload cannot be read or has no head', () => {
    const env = { ...base, GITHUB_EVENT_NAME: 'pull_request' }
    expect(() =>
      checkRunTarget(env, () => {
        throw new Error('ENOENT: no such file')
      })
    ).toThrow('Could not read the event payload at GITHUB_EVENT_PATH (/runner/event.json): ENOENT')
    expect(() => checkRunTarget(env, () => '{"pull_request":{}}')).toThrow(
      'has no pull_request.head.sha'
    )
  })
})

describe('checkTitle', () => {
  const ids = (prefix: string, count: number): string[] =>
    Array.from({ length: count }, (_, i) => `${prefix}${i}`)

  it.each([
    ['waiting', 1, 1, 3, 'Waiting: 2 of 5 tasks finished'],
    ['succeeded', 1, 0, 0, 'The task succeeded'],
    ['succeeded', 4, 0, 0, 'All 4 tasks succeeded'],
    ['failed', 3, 2, 0, '2 of 5 tasks failed, 3 succeeded'],
    ['failed', 0, 0, 1, 'Stopped: 1 of 1 task unfinished'],
    ['timed-out', 2, 0, 1, 'Timed out: 1 of 3 tasks unfinished'],
    ['cancelled', 0, 0, 2, 'Cancelled: 2 of 2 tasks unfinished']
  ] as const)(
    'titles %s with %i succeeded, %i failed and %i unfinished as "%s"',
    (state, succeeded, failed, pending, title) => {
      const groups = {
        succeeded: ids('S', succeeded),
        failed: ids('F', failed),
        pending: ids('P', pending)
      }
      expect(checkTitle(state, groups)).toBe(title)
    }
  )
})

describe('fitCheckOutput', () => {
  it('leaves text within the limit as it is', () => {
    expect(fitCheckOutput('| a |\n| b |', 100)).toBe('| a |\n| b |')
  })

  it('cuts at a line end, never inside a multi-byte character, and says how much was left out', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `| \`task-${i}\` | ✅ succeeded |`)
    const fitted = fitCheckOutput(rows.join('\n'), 1000)
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(1000)
    const [table, note] = fitted.split('\n\n')
    expect(rows).toEqual(expect.arrayContaining(table.split('\n')))
    expect(note).toMatch(new RegExp(`^… ${50 - table.split('\n').length} more lines left out`))

    const oneLine = '✅'.repeat(1000)
    const cut = fitCheckOutput(oneLine, 500)
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(500)
    expect(cut).not.toContain('\uFFFD')
    expect(cut.startsWith('✅✅')).toBe(true)
  })

  it('makes the title one line and drops an empty text', () => {
    expect(fitOutput({ title: 'Two\n  lines', summary: 's', text: '' })).toEqual({
      title: 'Two lines',
      summary: 's'
    })
  })
})

describe('Throttle', () => {
  let time: FakeTime
  let sent: string[]
  beforeEach(() => {
    time = new FakeTime()
    sent = []
  })
  const throttle = (send = async (value: string): Promise<void> => void sent.push(value)) =>
    new Throttle<string>({ clock: time, intervalMs: 30_000, send })
  const turn = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

  it('sends only the latest of what was offered within the interval, when it has passed', async () => {
    const t = throttle()
    await time.sleep(1_000)
    t.offer('first')
    await time.sleep(4_000)
    t.offer('second')
    await time.sleep(24_999)
    expect(sent).toEqual([])
    await time.sleep(1)
    expect(sent).toEqual(['second'])
  })

  it('sends at once when the interval has already passed, then waits a whole interval', async () => {
    const t = throttle()
    await time.sleep(45_000)
    t.offer('now')
    expect(sent).toEqual(['now'])
    await turn()
    t.offer('later')
    await time.sleep(29_999)
    expect(sent).toEqual(['now'])
    await time.sleep(1)
    expect(sent).toEqual(['now', 'later'])
  })

  it('holds what is offered during a send until that send has settled', async () => {
    let finish: () => void = () => undefined
    const t = throttle(async value => {
      sent.push(value)
      if (value === 'slow') await new Promise<void>(resolve => (finish = resolve))
    })
    await time.sleep(30_000)
    t.offer('slow')
    await time.sleep(40_000)
    t.offer('queued')
    await time.sleep(40_000)
    expect(sent).toEqual(['slow'])
    finish()
    await turn()
    expect(sent).toEqual(['slow', 'queued'])
  })

  it('counts a send made elsewhere, and sends nothing after stop', async () => {
    const t = throttle()
    await time.sleep(50_000)
    t.sentNow()
    t.offer('held')
    await time.sleep(29_999)
    expect(sent).toEqual([])
    await t.stop()
    await time.sleep(60_000)
    t.offer('after stop')
    expect(sent).toEqual([])
  })
})

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

function output(title: string): CheckOutput {
  return {
    title,
    summary: `summary of ${title}`,
    text: `| Task | State |\n| --- | --- |\n| \`T1\` | ${title} |`
  }
}

let api: GitHubApiStub
let warnings: string[]
let debugs: string[]

beforeEach(async () => {
  api = await startGitHubApi()
  warnings = []
  debugs = []
})

afterEach(async () => {
  await api.close()
  for (const message of [...warnings, ...debugs]) expect(message).not.toContain(TOKEN)
})

function target(overrides: Partial<CheckRunTarget> = {}): CheckRunTarget {
  return {
    owner: 'octo',
    repo: 'splats',
    headSha: HEAD_SHA,
    apiUrl: `${api.url}/api/v3`,
    ...overrides
  }
}

function start(overrides: Partial<CheckRunOptions> = {}): CheckRun {
  return startCheckRun({
    token: TOKEN,
    name: 'Aholo 3D tasks',
    target: target(),
    clock: realClock,
    signal: new AbortController().signal,
    log: { warning: m => warnings.push(m), debug: m => debugs.push(m) },
    initialOutput: output('waiting'),
    ...overrides,
    redactor: overrides.redactor ?? new Redactor([TOKEN])
  })
}

const patches = (): unknown[] => api.requests.filter(r => r.method === 'PATCH').map(r => r.body)
const posts = (): unknown[] => api.requests.filter(r => r.method === 'POST').map(r => r.body)

async function created(run: CheckRun): Promise<void> {
  await until(() => run.url !== undefined, 'the check run to be created')
}

describe('startCheckRun against a GitHub API stand-in', () => {
  let time: FakeTime
  beforeEach(() => {
    time = new FakeTime()
    time.wallClock = () => WALL_CLOCK
  })
  const startFake = (overrides: Partial<CheckRunOptions> = {}): CheckRun =>
    start({ clock: time, ...overrides })

  it('creates the check run in progress on the head commit, through the API URL it is given', async () => {
    const run = startFake({
      target: target({ detailsUrl: 'https://github.example/octo/splats/actions/runs/9' })
    })
    // Returned before any request was answered: creating goes on in the background.
    expect(run.url).toBeUndefined()
    await created(run)

    expect(api.requests).toHaveLength(1)
    const [create] = api.requests
    expect(create.method).toBe('POST')
    expect(create.path).toBe('/api/v3/repos/octo/splats/check-runs')
    expect(create.headers.authorization === `token ${TOKEN}`).toBe(true)
    expect(create.body).toEqual({
      name: 'Aholo 3D tasks',
      head_sha: HEAD_SHA,
      status: 'in_progress',
      started_at: '2025-01-02T03:04:05.000Z',
      details_url: 'https://github.example/octo/splats/actions/runs/9',
      output: output('waiting')
    })
    expect(run.url).toBe(RUN_URL)
    expect(warnings).toEqual([])
  })

  it('leaves out an empty text, which is optional for GitHub', async () => {
    const run = startFake({
      initialOutput: { title: 'Waiting for 2 tasks', summary: 'Polling every 10s.', text: '' }
    })
    await created(run)
    expect(api.requests[0].body).toMatchObject({
      output: { title: 'Waiting for 2 tasks', summary: 'Polling every 10s.' }
    })
    expect((api.requests[0].body as { output: object }).output).not.toHaveProperty('text')
  })

  it('completes the check run with its conclusion and output, and returns its URL', async () => {
    const run = startFake()
    await created(run)
    const result = await run.complete('failure', output('1 of 2 failed'))

    expect(result).toEqual({ url: RUN_URL })
    const complete = api.requests[1]
    expect(complete.method).toBe('PATCH')
    expect(complete.path).toBe('/api/v3/repos/octo/splats/check-runs/4242')
    expect(complete.body).toEqual({
      status: 'completed',
      conclusion: 'failure',
      completed_at: '2025-01-02T03:04:05.000Z',
      output: output('1 of 2 failed')
    })
    expect(api.checkRuns.get(4242)).toMatchObject({ status: 'completed', conclusion: 'failure' })

    // A second completion, as from a failure path, sends nothing and gives the same answer.
    expect(await run.complete('cancelled', output('late'))).toEqual(result)
    expect(api.requests).toHaveLength(2)
    expect(run.url).toBe(RUN_URL)
  })

  it('completes a check run still being created once creating has finished', async () => {
    const run = startFake()
    const result = await run.complete('success', output('done'))
    expect(result).toEqual({ url: RUN_URL })
    expect(api.requests.map(r => r.method)).toEqual(['POST', 'PATCH'])
  })

  it('coalesces changes within 30 s into one update that carries the latest state', async () => {
    const run = startFake()
    await created(run)
    let renders = 0
    const render = (title: string) => (): CheckOutput => {
      renders++
      return output(title)
    }

    await time.sleep(1_000)
    run.update(render('first'))
    await time.sleep(4_000)
    run.update(render('second'))
    await time.sleep(15_000)
    run.update(render('third'))
    await time.sleep(9_999)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(patches()).toEqual([])
    await time.sleep(1)
    await until(() => patches().length === 1, 'the throttled update')
    expect(patches()).toEqual([{ output: output('third') }])
    expect(renders).toBe(1)

    // Another change soon after waits for the next window; completing drops it.
    await time.sleep(5_000)
    run.update(render('fourth'))
    await run.complete('success', output('done'))
    await time.sleep(60_000)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(patches()).toEqual([
      { output: output('third') },
      expect.objectContaining({ status: 'completed', output: output('done') })
    ])
    expect(renders).toBe(1)
  })

  it('sends a change at once when the last request was more than 30 s ago', async () => {
    const run = startFake()
    await created(run)
    await time.sleep(45_000)
    run.update(() => output('running'))
    await until(() => patches().length === 1, 'the update')
    expect(patches()).toEqual([{ output: output('running') }])
  })

  it('warns once naming checks: write when the token may not write checks, then makes no requests', async () => {
    api.failAlways({ kind: 'forbidden' })
    const run = startFake()
    await until(() => warnings.length > 0, 'the warning')
    await time.sleep(60_000)
    run.update(() => output('running'))
    const result = await run.complete('success', output('done'))

    expect(result).toBeUndefined()
    expect(api.requests).toHaveLength(1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('Resource not accessible by integration')
    expect(warnings[0]).toContain('`permissions: checks: write`')
    expect(warnings[0]).toContain("The action's outcome is not affected")
  })

  it('warns once when completing is forbidden, without throwing', async () => {
    const run = startFake()
    await created(run)
    api.failNext({ kind: 'forbidden' })
    await expect(run.complete('success', output('done'))).resolves.toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('checks: write')])
  })

  it('retries a rate-limited request after the Retry-After it names, without a permission warning', async () => {
    api.failNext(
      {
        kind: 'status',
        status: 403,
        body: { message: 'API rate limit exceeded for installation ID 1.' },
        headers: { 'retry-after': '2', 'x-ratelimit-remaining': '0' }
      },
      { kind: 'status', status: 429, body: { message: 'Too many requests' } }
    )
    const run = startFake()
    await created(run)
    expect(posts()).toHaveLength(3)
    expect(time.sleeps[0]).toBe(2000)
    expect(warnings).toEqual([])
  })

  it('creates the check run completed at the end when creating it first hit server errors', async () => {
    api.failNext(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 500 }) as const))
    const run = startFake()
    await until(() => warnings.length > 0, 'the warning')
    expect(warnings).toEqual([
      expect.stringContaining(
        'HTTP 500: Server Error; it will be created when the action completes'
      )
    ])
    expect(api.requests).toHaveLength(3)
    await time.sleep(60_000)
    run.update(() => output('running'))

    const result = await run.complete('timed_out', output('timed out'))
    expect(result).toEqual({ url: RUN_URL })
    expect(api.requests).toHaveLength(4)
    expect(api.requests[3].body).toEqual({
      name: 'Aholo 3D tasks',
      head_sha: HEAD_SHA,
      started_at: '2025-01-02T03:04:05.000Z',
      status: 'completed',
      conclusion: 'timed_out',
      completed_at: '2025-01-02T03:04:05.000Z',
      output: output('timed out')
    })
  })

  it('warns and carries on when every request fails with a server error, each tried 3 times', async () => {
    api.failAlways({ kind: 'status', status: 502, body: { message: 'Bad Gateway' } })
    const run = startFake()
    await until(() => warnings.length > 0, 'the warning')
    await expect(run.complete('success', output('done'))).resolves.toBeUndefined()
    expect(api.requests).toHaveLength(6)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain(
      'HTTP 502: Bad Gateway; it will be created when the action completes'
    )
    expect(warnings[1]).toContain('HTTP 502: Bad Gateway; no check run is shown for this run')
  })

  it('warns about the first failed update only, and still tries later ones', async () => {
    const run = startFake()
    await created(run)
    api.failAlways({ kind: 'status', status: 500 })
    for (const [i, title] of ['one', 'two', 'three'].entries()) {
      if (title === 'three') api.failAlways(undefined)
      await time.sleep(30_000)
      run.update(() => output(title))
      await until(() => patches().length === i + 1, `update ${title}`)
    }
    await until(() => api.unanswered === 0, 'the last answer')

    expect(patches()).toEqual([
      { output: output('one') },
      { output: output('two') },
      { output: output('three') }
    ])
    expect(warnings).toEqual([expect.stringContaining('Could not update')])
    expect(debugs.filter(m => m.startsWith('Could not update'))).toHaveLength(1)
  })

  it('turns itself off after a request GitHub refuses for good, such as an unknown commit', async () => {
    api.failNext({
      kind: 'status',
      status: 422,
      body: {
        message: 'No commit found for SHA: abc',
        documentation_url: 'https://docs.github.com'
      }
    })
    const run = startFake()
    await until(() => warnings.length > 0, 'the warning')
    expect(await run.complete('success', output('done'))).toBeUndefined()
    expect(api.requests).toHaveLength(1)
    expect(warnings).toEqual([expect.stringContaining('HTTP 422: No commit found for SHA: abc')])
  })

  it('never shows the token, even when the API echoes it', async () => {
    api.failNext({ kind: 'status', status: 401, body: { message: `Bad credentials: ${TOKEN}` } })
    const run = startFake()
    await until(() => warnings.length > 0, 'the warning')
    expect(warnings).toEqual([expect.stringContaining('HTTP 401: Bad credentials: ***')])
    expect(await run.complete('success', output('done'))).toBeUndefined()
  })

  it('warns without throwing when the API cannot be reached', async () => {
    const closed = api.url
    await api.close()
    const run = startFake({ target: target({ apiUrl: closed }) })
    await expect(run.complete('success', output('done'))).resolves.toBeUndefined()
    expect(warnings).toHaveLength(2)
    api = await startGitHubApi()
  })

  it('keeps the summary and text of a huge table under the limit', async () => {
    const run = startFake()
    await created(run)
    const rows = Array.from({ length: 5000 }, (_, i) => `| \`TASK${i}\` | ❌ failed | 3m 2s | — |`)
    const huge = [
      '| Task | State | Finished after | Assets |',
      '| --- | --- | --- | --- |',
      ...rows
    ].join('\n')
    await run.complete('failure', { title: 'Many failed', summary: huge, text: huge })

    const body = patches()[0] as { output: CheckOutput }
    for (const field of [body.output.summary, body.output.text ?? '']) {
      expect(Buffer.byteLength(field)).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT_BYTES)
      expect(Buffer.byteLength(field)).toBeGreaterThan(CHECK_OUTPUT_LIMIT_BYTES - 1000)
      expect(field).toMatch(
        /\| — \|\n\n… \d+ more lines left out: GitHub limits a check run's text to 65535 bytes/
      )
    }
  })

  it('is the null check run without a token: no request, nothing to await', async () => {
    const run = startFake({ token: '' })
    expect(run).toBe(NULL_CHECK_RUN)
    run.update(() => output('running'))
    expect(run.url).toBeUndefined()
    await expect(run.complete('success', output('done'))).resolves.toBeUndefined()
    expect(api.requests).toEqual([])
  })
})

describe('the check run never holds the step (real time)', () => {
  const elapsedSince = (start: number): number => performance.now() - start

  it('returns at once and completes within its 10 s budget when the API never answers create', async () => {
    api.behave('create', { hang: true })
    const started = performance.now()
    const run = start()
    run.update(() => output('running'))
    expect(elapsedSince(started)).toBeLessThan(100)

    await until(() => api.unanswered === 1, 'the create request')
    const completing = performance.now()
    await expect(run.complete('success', output('done'))).resolves.toBeUndefined()
    const took = elapsedSince(completing)
    expect(took).toBeLessThan(10_000 + 1_500)
    // Both creates, the background one and the completed one, were abandoned: sockets freed.
    await until(() => api.unanswered === 0, 'the abandoned requests to close', 1000)
    expect(posts()).toHaveLength(2)
    expect(warnings).toEqual([
      expect.stringMatching(/^Could not create .*: no answer within 10s; no check run is shown/)
    ])
    console.log(`complete() with a create that never answers: ${Math.round(took)} ms`)
  }, 20_000)

  it('completes through an API that never answered an update', async () => {
    const run = start({ budgets: { completeMs: 2000, updateIntervalMs: 0 } })
    await created(run)
    api.behave('update', { hang: true })
    run.update(() => output('running'))
    await until(() => patches().length === 1 && api.unanswered === 1, 'the hanging update')
    api.behave('update', undefined)

    const completing = performance.now()
    await expect(run.complete('success', output('done'))).resolves.toEqual({ url: RUN_URL })
    // The update in flight got half the budget, then was abandoned for the completion.
    expect(elapsedSince(completing)).toBeLessThan(2000 + 1000)
    expect(patches()[1]).toMatchObject({ status: 'completed', conclusion: 'success' })
    await until(() => api.unanswered === 0, 'the abandoned update to close', 1000)
    expect(warnings).toEqual([])
  })

  it('gives up within its budget when the API never answers any update', async () => {
    const run = start({ budgets: { completeMs: 2000, updateIntervalMs: 0 } })
    await created(run)
    api.behave('update', { hang: true })
    run.update(() => output('running'))
    await until(() => api.unanswered === 1, 'the hanging update')

    const completing = performance.now()
    await expect(run.complete('success', output('done'))).resolves.toBeUndefined()
    expect(elapsedSince(completing)).toBeLessThan(2000 + 1000)
    expect(patches()).toHaveLength(2)
    await until(() => api.unanswered === 0, 'the abandoned requests to close', 1000)
    expect(warnings).toEqual([
      expect.stringMatching(/^Could not complete .*: no answer within 2s; the check run is left/)
    ])
  })

  it('completes as cancelled within about 1 s of a cancel while create hangs', async () => {
    api.behave('create', { hang: true })
    const cancel = new AbortController()
    const run = start({ signal: cancel.signal })
    await until(() => api.unanswered === 1, 'the create request')
    cancel.abort()
    // The request in flight is abandoned at once, not at its time limit.
    await until(() => api.unanswered === 0, 'the abandoned create to close', 500)

    const completing = performance.now()
    await expect(run.complete('cancelled', output('cancelled'))).resolves.toBeUndefined()
    const took = elapsedSince(completing)
    expect(took).toBeLessThan(1000 + 500)
    await until(() => api.unanswered === 0, 'the final create to close', 1000)
    expect(warnings).toEqual([expect.stringContaining('no answer within 1s of the cancel')])
    console.log(`complete('cancelled') with a create that never answers: ${Math.round(took)} ms`)
  })

  it('still shows the cancel when the API answers after the hung create was abandoned', async () => {
    api.behave('create', { hang: true })
    const cancel = new AbortController()
    const run = start({ signal: cancel.signal })
    await until(() => api.unanswered === 1, 'the create request')
    cancel.abort()
    api.behave('create', undefined)

    await expect(run.complete('cancelled', output('cancelled'))).resolves.toEqual({
      url: 'https://github.example/octo/splats/runs/4242'
    })
    expect(posts()[1]).toMatchObject({ status: 'completed', conclusion: 'cancelled' })
  })

  it('cuts a completion short to about 1 s when the cancel comes while it waits', async () => {
    api.behave('create', { hang: true })
    const cancel = new AbortController()
    const run = start({ signal: cancel.signal })
    const completing = performance.now()
    const result = run.complete('failure', output('failed'))
    setTimeout(() => cancel.abort(), 300)
    await expect(result).resolves.toBeUndefined()
    expect(elapsedSince(completing)).toBeLessThan(300 + 1000 + 500)
  })

  it('does not delay its caller with a slow API (3 s a call), and still completes', async () => {
    api.behave('create', { delayMs: 3000 })
    api.behave('update', { delayMs: 3000 })
    const started = performance.now()
    const run = start({ budgets: { updateIntervalMs: 0 } })
    run.update(() => output('running'))
    const returned = elapsedSince(started)
    expect(returned).toBeLessThan(100)

    const completing = performance.now()
    await expect(run.complete('success', output('done'))).resolves.toEqual({ url: RUN_URL })
    expect(elapsedSince(completing)).toBeLessThan(10_000)
    expect(posts()).toHaveLength(1)
    console.log(`startCheckRun with a 3 s API returned in ${returned.toFixed(1)} ms`)
  }, 20_000)

  it('leaves nothing that keeps the process alive once complete() has resolved', async () => {
    api.behave('create', { hang: true })
    const dir = mkdtempSync(path.join(tmpdir(), 'check-run-'))
    const script = path.join(dir, 'child.mts')
    const src = (file: string): string => JSON.stringify(path.join(PROJECT_ROOT, 'src', file))
    writeFileSync(
      script,
      `import { startCheckRun } from ${src('github/check-run.ts')}
import { realClock } from ${src('runtime.ts')}
import { NO_SECRETS } from ${src('report/redact.ts')}
const quiet = { warning: () => undefined, debug: () => undefined }
const run = startCheckRun({
  token: 't', name: 'n', clock: realClock, signal: new AbortController().signal, log: quiet,
  redactor: NO_SECRETS,
  target: { owner: 'o', repo: 'r', headSha: 'a'.repeat(40), apiUrl: process.argv[2] },
  initialOutput: { title: 't', summary: 's' },
  budgets: { completeMs: 1000, updateIntervalMs: 60_000 }
})
run.update(() => ({ title: 'later', summary: 'later' }))
await run.complete('success', { title: 'done', summary: 'done' })
const completedAt = performance.now()
process.on('exit', () => console.log(String(Math.round(performance.now() - completedAt))))
`
    )
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', script, api.url], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit']
      })
      let stdout = ''
      child.stdout.on('data', chunk => (stdout += String(chunk)))
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await new Promise(resolve => child.on('close', resolve))
      clearTimeout(killer)
      expect(code).toBe(0)
      // Milliseconds from complete() resolving to the process ending on its own.
      expect(Number(stdout.trim())).toBeLessThan(500)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 20_000)
})
