import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CHECK_OUTPUT_LIMIT_BYTES,
  checkConclusion,
  checkTitle,
  type CheckOutput,
  CheckRunReporter,
  type CheckRunOptions,
  type CheckRunTarget,
  checkRunTarget,
  fitCheckOutput
} from '../src/github/check-run.js'
import { type GitHubApiStub, startGitHubApi } from '../sim/github-api.js'

const TOKEN = 'ghs_test-token-that-must-never-be-logged'
const HEAD_SHA = 'a'.repeat(40)
const PR_HEAD_SHA = 'b'.repeat(40)
const WALL_CLOCK = Date.parse('2025-01-02T03:04:05.000Z')

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
      const read = (path: string): string => {
        expect(path).toBe('/runner/event.json')
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

describe('checkConclusion', () => {
  it.each([
    ['succeeded', false, 'success'],
    ['failed', true, 'failure'],
    ['failed', false, 'neutral'],
    ['timed-out', true, 'timed_out'],
    ['timed-out', false, 'neutral'],
    ['cancelled', true, 'cancelled']
  ] as const)('maps %s with the step failing=%s to %s', (state, stepFails, conclusion) => {
    expect(checkConclusion(state, stepFails)).toBe(conclusion)
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
})

/** A clock and timers the test moves by hand. */
function manualTime(): {
  now: () => number
  schedule: NonNullable<CheckRunOptions['schedule']>
  advance(ms: number): void
  scheduled(): number[]
} {
  let now = 0
  const timers: Array<{ at: number; run: () => void; done: boolean }> = []
  return {
    now: () => now,
    schedule: (run, delayMs) => {
      const timer = { at: now + delayMs, run, done: false }
      timers.push(timer)
      return () => {
        timer.done = true
      }
    },
    advance(ms) {
      now += ms
      for (const timer of timers) {
        if (!timer.done && timer.at <= now) {
          timer.done = true
          timer.run()
        }
      }
    },
    scheduled: () => timers.filter(timer => !timer.done).map(timer => timer.at)
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000
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

describe('CheckRunReporter', () => {
  let api: GitHubApiStub
  let warnings: string[]
  let debugs: string[]
  let time: ReturnType<typeof manualTime>

  beforeEach(async () => {
    api = await startGitHubApi()
    warnings = []
    debugs = []
    time = manualTime()
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

  function start(overrides: Partial<CheckRunOptions> = {}): Promise<CheckRunReporter> {
    return CheckRunReporter.start({
      token: TOKEN,
      name: 'Aholo 3D tasks',
      target: target(),
      now: time.now,
      wallClock: () => WALL_CLOCK,
      schedule: time.schedule,
      log: { warning: m => warnings.push(m), debug: m => debugs.push(m) },
      initialOutput: output('waiting'),
      ...overrides
    })
  }

  const patches = (): unknown[] => api.requests.filter(r => r.method === 'PATCH').map(r => r.body)

  it('creates the check run in progress on the head commit, through the API URL it is given', async () => {
    const reporter = await start({
      target: target({ detailsUrl: 'https://github.example/octo/splats/actions/runs/9' })
    })

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
    expect(reporter.htmlUrl).toBe('https://github.example/octo/splats/runs/4242')
    expect(warnings).toEqual([])
  })

  it('leaves out an empty text, which is optional for GitHub', async () => {
    await start({
      initialOutput: { title: 'Waiting for 2 tasks', summary: 'Polling every 10s.', text: '' }
    })
    expect(api.requests[0].body).toMatchObject({
      output: { title: 'Waiting for 2 tasks', summary: 'Polling every 10s.' }
    })
    expect((api.requests[0].body as { output: object }).output).not.toHaveProperty('text')
  })

  it('completes the check run with its conclusion and output, and returns its URL', async () => {
    const reporter = await start()
    const result = await reporter.complete('failure', output('1 of 2 failed'))

    expect(result).toEqual({ url: 'https://github.example/octo/splats/runs/4242' })
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
    expect(await reporter.complete('cancelled', output('late'))).toEqual(result)
    expect(api.requests).toHaveLength(2)
  })

  it('coalesces changes within 30 s into one update that carries the latest state', async () => {
    const reporter = await start()
    let renders = 0
    const render = (title: string) => () => {
      renders++
      return output(title)
    }

    time.advance(1_000)
    await reporter.update(render('first'))
    time.advance(4_000)
    await reporter.update(render('second'))
    time.advance(15_000)
    await reporter.update(render('third'))
    expect(patches()).toEqual([])
    expect(time.scheduled()).toEqual([30_000])

    time.advance(9_999)
    expect(patches()).toEqual([])
    time.advance(1)
    await until(() => patches().length === 1, 'the throttled update')
    expect(patches()).toEqual([{ output: output('third') }])
    expect(renders).toBe(1)

    // Another change soon after waits for the next window; completing drops it.
    time.advance(5_000)
    await reporter.update(render('fourth'))
    expect(time.scheduled()).toEqual([60_000])
    await reporter.complete('success', output('done'))
    time.advance(60_000)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(patches()).toEqual([
      { output: output('third') },
      expect.objectContaining({ status: 'completed', output: output('done') })
    ])
    expect(renders).toBe(1)
  })

  it('sends a change at once when the last request was more than 30 s ago', async () => {
    const reporter = await start()
    time.advance(45_000)
    await reporter.update(output('running'))
    expect(patches()).toEqual([{ output: output('running') }])
    expect(time.scheduled()).toEqual([])
  })

  it('warns once naming checks: write when the token may not write checks, then makes no requests', async () => {
    api.failAlways({ kind: 'forbidden' })
    const reporter = await start()
    time.advance(60_000)
    await reporter.update(output('running'))
    const result = await reporter.complete('success', output('done'))

    expect(result).toBeUndefined()
    expect(api.requests).toHaveLength(1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('Resource not accessible by integration')
    expect(warnings[0]).toContain('`permissions: checks: write`')
    expect(warnings[0]).toContain("The action's outcome is not affected")
  })

  it('warns once when completing is forbidden, without throwing', async () => {
    const reporter = await start()
    api.failNext({ kind: 'forbidden' })
    await expect(reporter.complete('success', output('done'))).resolves.toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('checks: write')])
  })

  it('creates the check run completed at the end when creating it first hit a server error', async () => {
    api.failNext({ kind: 'status', status: 500 })
    const reporter = await start()
    expect(warnings).toEqual([
      expect.stringContaining(
        'HTTP 500: Server Error; it will be created when the action completes'
      )
    ])
    time.advance(60_000)
    await reporter.update(output('running'))
    expect(api.requests).toHaveLength(1)

    const result = await reporter.complete('timed_out', output('timed out'))
    expect(result).toEqual({ url: 'https://github.example/octo/splats/runs/4242' })
    expect(api.requests[1].body).toEqual({
      name: 'Aholo 3D tasks',
      head_sha: HEAD_SHA,
      started_at: '2025-01-02T03:04:05.000Z',
      status: 'completed',
      conclusion: 'timed_out',
      completed_at: '2025-01-02T03:04:05.000Z',
      output: output('timed out')
    })
  })

  it('warns and carries on when every request fails with a server error', async () => {
    api.failAlways({ kind: 'status', status: 502, body: { message: 'Bad Gateway' } })
    const reporter = await start()
    await expect(reporter.complete('success', output('done'))).resolves.toBeUndefined()
    expect(api.requests).toHaveLength(2)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain(
      'HTTP 502: Bad Gateway; it will be created when the action completes'
    )
    expect(warnings[1]).toContain('HTTP 502: Bad Gateway; no check run is shown for this run')
  })

  it('warns about the first failed update only, and still tries later ones', async () => {
    const reporter = await start()
    api.failAlways({ kind: 'status', status: 500 })
    time.advance(30_000)
    await reporter.update(output('one'))
    time.advance(30_000)
    await reporter.update(output('two'))
    api.failAlways(undefined)
    time.advance(30_000)
    await reporter.update(output('three'))

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
    const reporter = await start()
    expect(await reporter.complete('success', output('done'))).toBeUndefined()
    expect(api.requests).toHaveLength(1)
    expect(warnings).toEqual([expect.stringContaining('HTTP 422: No commit found for SHA: abc')])
  })

  it('gives up on a request that hangs, instead of holding the step open', async () => {
    api.failNext({ kind: 'hang' })
    const started = Date.now()
    const reporter = await start({ requestTimeoutMs: 200 })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(reporter.htmlUrl).toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('Could not create')])
  })

  it('warns without throwing when the API cannot be reached', async () => {
    const closed = api.url
    await api.close()
    const reporter = await start({ target: target({ apiUrl: closed }) })
    await expect(reporter.complete('success', output('done'))).resolves.toBeUndefined()
    expect(warnings).toHaveLength(2)
    api = await startGitHubApi()
  })

  it('keeps the summary and text of a huge table under the limit', async () => {
    const reporter = await start()
    const rows = Array.from({ length: 5000 }, (_, i) => `| \`TASK${i}\` | ❌ failed | 3m 2s | — |`)
    const huge = [
      '| Task | State | Finished after | Assets |',
      '| --- | --- | --- | --- |',
      ...rows
    ].join('\n')
    await reporter.complete('failure', { title: 'Many failed', summary: huge, text: huge })

    const body = patches()[0] as { output: CheckOutput }
    for (const field of [body.output.summary, body.output.text ?? '']) {
      expect(Buffer.byteLength(field)).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT_BYTES)
      expect(Buffer.byteLength(field)).toBeGreaterThan(CHECK_OUTPUT_LIMIT_BYTES - 1000)
      expect(field).toMatch(
        /\| — \|\n\n… \d+ more lines left out: GitHub limits a check run's text to 65535 bytes/
      )
    }
  })
})
