import { ActionError, describeError, sentence } from '../src/errors.js'
/** The pure reporting modules: the verdict, bounded outputs, redaction and log lines. */
import { linksOfUrls } from '../src/domain/formats.js'
import type { TaskState } from '../src/domain/task-state.js'
import { isFinalState } from '../src/domain/task-state.js'
import type { FailOn } from '../src/inputs/parse.js'
import { DeadlineError, Fault } from '../src/net/retry.js'
import type { PollEnding, PollOutcome, TaskRecord } from '../src/poll.js'
import { OpenPlatformApiError } from '../src/providers/open-platform/envelope.js'
import { describeRound, describeUnasked } from '../src/report/log-lines.js'
import { matrixShortfall } from '../src/report/matrix.js'
import {
  buildOutputs,
  fitOutputs,
  OUTPUT_NAMES,
  OUTPUTS_BUDGET_BYTES,
  taskResults,
  utf16Bytes
} from '../src/report/outputs.js'
import { NO_SECRETS, Redactor, redactText, serverText } from '../src/report/redact.js'
import { checkConclusion, decideVerdict } from '../src/report/verdict.js'

function task(taskId: string, state: TaskState, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { taskId, status: 0, state, final: isFinalState(state), assets: [], ...extra }
}

function outcome(
  tasks: TaskRecord[],
  ending: PollEnding = 'finished',
  extra: Partial<PollOutcome> = {}
): PollOutcome {
  return { tasks, ending, rounds: 1, elapsedMs: 1000, ...extra }
}

function verdict(
  o: PollOutcome,
  failOn: FailOn = 'any',
  extra: { cancelled?: boolean; deliveryError?: string } = {}
) {
  return decideVerdict({ outcome: o, failOn, timeoutMs: 60_000, cancelled: false, ...extra })
}

describe('the verdict', () => {
  it('passes quietly when every task succeeded', () => {
    expect(verdict(outcome([task('A', 'succeeded')]))).toEqual({
      state: 'succeeded',
      setupRefused: false,
      failing: false,
      note: undefined,
      conclusion: 'success',
      title: 'The task succeeded'
    })
  })

  it.each([
    ['any', true, 'failure'],
    ['all', false, 'neutral'],
    ['never', false, 'neutral']
  ] as const)(
    'with one of two failed under fail-on %s: failing %s, %s',
    (failOn, failing, conclusion) => {
      const v = verdict(outcome([task('A', 'succeeded'), task('B', 'failed')]), failOn)
      expect(v).toMatchObject({ state: 'failed', failing, conclusion })
      expect(v.note).toContain('1 failed: B')
    }
  )

  it('fails under fail-on all when nothing succeeded', () => {
    const v = verdict(outcome([task('A', 'failed')]), 'all')
    expect(v).toMatchObject({
      failing: true,
      note: 'No task succeeded (0 of 1 succeeded; 1 failed: A).'
    })
  })

  it('says why a timeout happened: the deadline, the fault, and what the service asked', () => {
    const v = verdict(
      outcome([task('A', 'running')], 'timed-out', {
        lastFault: new Fault('HTTP 429', 'HTTP 429', 3_600_000),
        deadlineNote: "the service asked to retry after 1h, beyond the 'timeout'"
      })
    )
    expect(v).toMatchObject({ state: 'timed-out', failing: true, conclusion: 'timed_out' })
    expect(v.note).toMatch(
      /^Timed out after 1m \(the 'timeout' input\); the service asked to retry after 1h, beyond the 'timeout' while the service kept failing: HTTP 429\./
    )
  })

  it('fails on an API error whatever fail-on says, with its hint', () => {
    const v = verdict(
      outcome([task('A', 'running')], 'error', {
        error: new OpenPlatformApiError('100002', '签名错误')
      }),
      'never'
    )
    expect(v).toMatchObject({
      state: 'failed',
      failing: true,
      conclusion: 'failure',
      setupRefused: true,
      title: 'The API refused the credentials'
    })
    expect(v.note).toContain("check 'app-key', 'app-secret' and 'app-uid'")
  })

  it('calls a run cancelled while waiting cancelled', () => {
    const v = verdict(outcome([task('A', 'running')], 'cancelled'), 'never', { cancelled: true })
    expect(v).toMatchObject({ state: 'cancelled', failing: true, conclusion: 'cancelled' })
    expect(v.note).toContain('cancelled while waiting')
  })

  it('calls a run cancelled during downloads cancelled, though every task succeeded', () => {
    const v = verdict(outcome([task('A', 'succeeded')]), 'any', { cancelled: true })
    expect(v).toMatchObject({ state: 'cancelled', failing: true, conclusion: 'cancelled' })
    expect(v.note).toContain('cancelled while the assets were being delivered')
  })

  it('fails for a broken download whatever fail-on says', () => {
    const v = verdict(outcome([task('A', 'succeeded')]), 'never', {
      deliveryError: '1 of 1 download failed.'
    })
    expect(v).toMatchObject({
      state: 'succeeded',
      failing: true,
      conclusion: 'failure',
      note: '1 of 1 download failed.'
    })
  })

  it('keeps a DeadlineError an error of the action, with its fault', () => {
    expect(new DeadlineError(new Fault('HTTP 503', 'HTTP 503')).message).toBe(
      'time ran out while HTTP 503'
    )
  })

  it.each([
    ['succeeded', false, 'success'],
    ['failed', false, 'neutral'],
    ['timed-out', false, 'neutral'],
    ['failed', true, 'failure'],
    ['timed-out', true, 'timed_out'],
    ['cancelled', true, 'cancelled'],
    ['cancelled', false, 'cancelled']
  ] as const)('concludes a %s step that fails: %s as %s', (state, failing, conclusion) => {
    expect(checkConclusion(state, failing)).toBe(conclusion)
  })
})

describe('outputs at any scale', () => {
  const url = (id: string, ext: string): string =>
    `https://aholo-assets.oss-cn-hangzhou.aliyuncs.com/tasks/${id}/point_cloud.${ext}?Expires=1764547200&OSSAccessKeyId=LTAI5tQ9xKp3mN7vR2sW8yZ1&Signature=${'a'.repeat(28)}%3D&x=${'b'.repeat(40)}`

  function manyTasks(count: number): TaskRecord[] {
    return Array.from({ length: count }, (_, i) => {
      const id = `TASK${String(i).padStart(8, '0')}`
      return task(id, i % 10 === 0 ? 'failed' : 'succeeded', {
        assets: linksOfUrls({
          plyPath: url(id, 'ply'),
          spzPath: url(id, 'spz'),
          sogPath: url(id, 'sog')
        })
      })
    })
  }

  function matrixOf(count: number): string {
    const include = Array.from({ length: count }, (_, i) => ({
      'task-id': `T${i}`,
      state: 'succeeded',
      'spz-url': url(`T${i}`, 'spz')
    }))
    return JSON.stringify({ include })
  }

  function outputsOf(tasks: TaskRecord[]) {
    return buildOutputs('failed', tasks, taskResults(tasks), NO_SECRETS, {
      resultsFile: '/tmp/results.json'
    })
  }

  it('uses realistic signed URLs of about 230 characters', () => {
    expect(url('TASK00000001', 'ply').length).toBeGreaterThanOrEqual(220)
  })

  it.each([3000, 5000])(
    'keeps %i tasks under 512 KiB counted as UTF-16, every JSON output parsing',
    count => {
      const full = outputsOf(manyTasks(count))
      expect(utf16Bytes(Object.values(full).join(''))).toBeGreaterThan(OUTPUTS_BUDGET_BYTES)
      const { outputs, shortened } = fitOutputs(full)
      const total = OUTPUT_NAMES.reduce(
        (sum, name) => sum + utf16Bytes(name) + utf16Bytes(outputs[name]),
        0
      )
      expect(total).toBeLessThan(OUTPUTS_BUDGET_BYTES)
      for (const name of [
        'results',
        'succeeded',
        'failed',
        'pending',
        'ply-urls',
        'spz-urls',
        'sog-urls'
      ] as const) {
        expect(() => JSON.parse(outputs[name])).not.toThrow()
      }
      // Loops over results still work: each entry keeps its id and state.
      const results = JSON.parse(outputs.results) as Array<{ taskId: string; state: string }>
      expect(results[0]).toEqual({ taskId: 'TASK00000000', status: 0, state: 'failed' })
      expect(shortened[0]).toMatch(/^results \(taskId, status and state/)
      expect(shortened.join()).toContain('ply-urls (the first')
      // The full values are still there for results-file.
      expect(JSON.parse(full.results)).toHaveLength(count)
      // The matrix keeps whole entries, the first of the full one's 256, in what is left.
      const fullMatrix = JSON.parse(full.matrix).include
      const { include } = JSON.parse(outputs.matrix)
      expect(fullMatrix).toHaveLength(256)
      expect(include.length).toBeGreaterThan(30)
      expect(include).toEqual(fullMatrix.slice(0, include.length))
      expect(include[0]).toEqual({
        'task-id': 'TASK00000001',
        state: 'succeeded',
        'ply-url': url('TASK00000001', 'ply'),
        'spz-url': url('TASK00000001', 'spz'),
        'sog-url': url('TASK00000001', 'sog')
      })
      const succeeded = JSON.parse(full.succeeded).length
      expect(matrixShortfall(outputs.matrix, succeeded)).toBe(
        `The 'matrix' output holds the first ${include.length} of ${succeeded} succeeded tasks (the rest did not fit under GitHub's limit of 1 MB of outputs per job): ${succeeded - include.length} were left out.`
      )
    }
  )

  it('keeps a matrix of 256 entries whole and says nothing of it', () => {
    const tasks = manyTasks(285)
    const full = outputsOf(tasks)
    const { outputs } = fitOutputs({ ...full, matrix: matrixOf(256) })
    expect(outputs.matrix).toBe(matrixOf(256))
    expect(matrixShortfall(outputs.matrix, 256)).toBeUndefined()
    expect(matrixShortfall(matrixOf(256), 300)).toBe(
      "The 'matrix' output holds the first 256 of 300 succeeded tasks (a matrix runs at most 256 jobs): 44 were left out."
    )
    expect(matrixShortfall('{"include":[]}', 0)).toBeUndefined()
  })

  it('leaves 20 tasks untouched', () => {
    const full = outputsOf(manyTasks(20))
    const { outputs, shortened } = fitOutputs(full)
    expect(shortened).toEqual([])
    expect(outputs).toEqual(full)
  })

  it('empties a single value too long to be an output, rather than cutting it', () => {
    const long = task('A', 'succeeded', {
      assets: [{ format: 'ply', url: `https://x/${'p'.repeat(5000)}` }]
    })
    const { outputs, shortened } = fitOutputs(outputsOf([long]))
    expect(outputs['ply-url']).toBe('')
    expect(shortened).toContain('ply-url (left empty: 5010 characters)')
  })

  it('carries World details into results when the service gave them', () => {
    const world = task('W', 'running', {
      status: 'RUNNING',
      details: { progress: 0.4, name: 'Lobby', cover: 'https://c/x.png' }
    })
    expect(taskResults([world])[0]).toMatchObject({
      status: 'RUNNING',
      progress: 0.4,
      name: 'Lobby',
      cover: 'https://c/x.png'
    })
    expect(taskResults([task('O', 'running')])[0]).not.toHaveProperty('progress')
  })
})

describe('redaction', () => {
  it('removes signed-request values in query, JSON and text forms', () => {
    const echoed =
      'bad request: /v2/x?appuid=u-1&appkey=k-2&timestamp=1764547200000&sign=0123456789abcdef0123456789abcdef {"sign":"ff00","appkey": "k-2"} appuid: u-1'
    const clean = redactText(echoed)
    expect(clean).not.toMatch(/u-1|k-2|1764547200000|0123456789abcdef|ff00/)
    expect(clean).toContain('sign=***')
  })

  it('removes known secrets everywhere, and only those from what the action shows', () => {
    expect(new Redactor(['sk-1234']).text('key sk-1234 and https://x/a.ply?Signature=abc')).toBe(
      'key *** and https://x/a.ply?Signature=abc'
    )
  })

  // The forms in which gateways and their encoders echo an Authorization header.
  const KEY = 'ak_Live/7f3a+Q9=x'
  const units = (text: string, pick: (index: number) => boolean): string =>
    [...text]
      .map((char, index) =>
        pick(index) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char
      )
      .join('')
  const ECHOES: Array<[string, string]> = [
    ['raw', KEY],
    ['JSON string', JSON.stringify(KEY).slice(1, -1)],
    ['JSON with \\/', JSON.stringify(KEY).slice(1, -1).replace(/\//g, '\\/')],
    ['every character \\u-escaped', units(KEY, () => true)],
    ['every other character \\u-escaped', units(KEY, i => i % 2 === 0)],
    [
      '\\u-escaped in upper-case hex',
      units(KEY, () => true)
        .toUpperCase()
        .replace(/\\U/g, '\\u')
    ],
    ['URL-encoded', encodeURIComponent(KEY)],
    [
      'URL-encoded, lower-case hex',
      encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, h => h.toLowerCase())
    ],
    ['form-encoded', new URLSearchParams({ k: KEY }).toString().slice(2)],
    ['URL-encoded over a JSON escape', encodeURIComponent(KEY.replace(/\//g, '\\/'))],
    ['base64', Buffer.from(KEY).toString('base64')],
    ['base64 after one byte', Buffer.from(`x${KEY}`).toString('base64')],
    ['base64 after two bytes', Buffer.from(`xy${KEY}`).toString('base64')],
    ['Basic credentials', `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`],
    ['base64url', Buffer.from(`ab${KEY}`).toString('base64url')],
    ['Bearer', `Bearer ${KEY}`],
    ['inside a URL query', `https://x/a?key=${encodeURIComponent(KEY)}&b=1`],
    ['inside JSON', JSON.stringify({ error: `invalid key ${KEY}` })]
  ]

  it.each(ECHOES)('removes a key echoed %s', (_, echo) => {
    const shown = new Redactor([KEY]).text(`the gateway said: ${echo}.`)
    expect(shown).toContain('***')
    expect(shown).not.toContain(KEY)
    expect(shown).not.toContain(echo.replace(/^(Basic|Bearer) /, ''))
    // What is left of a base64 form decodes to no part of the key longer than its padding.
    expect(shown).not.toContain(Buffer.from(KEY).toString('base64').slice(2, 12))
  })

  it('redacts values, never JSON syntax, so that a secret that looks like JSON leaves JSON whole', () => {
    const redactor = new Redactor(['","state":"'])
    const value = { taskId: 'A', note: 'x","state":"y', list: ['","state":"'] }
    const json = redactor.json(value)
    expect(JSON.parse(json)).toEqual({ taskId: 'A', note: 'x***y', list: ['***'] })
  })

  it("caps a server's text at 2 KiB, saying how much was left out", () => {
    const text = serverText('é'.repeat(5000))
    expect(Buffer.byteLength(text)).toBeLessThan(2200)
    expect(text).toMatch(/… \(7952 more bytes of the server's text left out\)$/)
    expect(serverText('short')).toBe('short')
  })
})

describe('log lines', () => {
  const moving = (i: number) => ({
    task: task(`W${i}`, 'running', { details: { progress: 0.4 } }),
    previous: 'running' as const,
    progressStep: 4
  })

  it('logs a line per state change, with progress', () => {
    const lines = describeRound(
      [
        { task: task('A', 'running', { details: { progress: 0.42 } }), previous: 'queued' },
        { task: task('B', 'not-found'), previous: undefined },
        moving(1)
      ],
      72_000
    )
    expect(lines).toEqual([
      '[1m 12s] A: queued → running 42%',
      '[1m 12s] B: not returned by the service yet; waiting for it',
      '[1m 12s] W1: running 40%'
    ])
  })

  it('logs one line for a round in which more than 20 tasks moved on', () => {
    const lines = describeRound(
      Array.from({ length: 21 }, (_, i) => moving(i)),
      1000
    )
    expect(lines).toEqual(['[1s] 21 tasks moved on (now between 40% and 40%)'])
  })

  it('names unasked-for ids and says when only case differs', () => {
    expect(describeUnasked(['x1', 'other'], ['X1'])).toBe(
      "The service answered for 2 task ids that were not asked for, and ignored: x1 (differs from the asked-for X1 only in case), other. Ids are matched exactly, case included: check the case of 'task-ids'."
    )
  })
})

describe('messages end in one full stop', () => {
  it('adds a full stop only where the text has none', () => {
    expect(sentence('the server said no')).toBe('the server said no.')
    expect(sentence('the server said no.')).toBe('the server said no.')
    expect(sentence('really?  ')).toBe('really?')
  })

  it('joins a message that ends in a full stop and its hint without a second one', () => {
    const error = new ActionError(
      'Unexpected answer: the world W1 is not a JSON object.',
      'Check it.'
    )
    expect(describeError(error)).toBe(
      'Unexpected answer: the world W1 is not a JSON object. Check it.'
    )
  })
})
