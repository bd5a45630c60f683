/**
 * The create action's pure reporting and reading: its outputs within their caps, its summary,
 * Lux3D's answers with int64 ids read exactly, and the quota told in three ways.
 */
import {
  CONCURRENCY_CODE,
  interpretCreated,
  Lux3dRequestError,
  Lux3dUnknownFateError
} from '../src/providers/lux3d/create.js'
import { exactId, parseWithExactIds } from '../src/providers/lux3d/exact-ids.js'
import {
  buildCreateOutputs,
  type JobRecord,
  renderCreateSummary
} from '../src/report/create-outputs.js'
import { NO_SECRETS, Redactor } from '../src/report/redact.js'

describe('exact JSON', () => {
  it('keeps the ids of a creation and of a list past 2^53 as their decimal strings, and leaves strings and other numbers alone', () => {
    const text =
      '{"d": 9007199254740993, "items": [{"taskId": -12345678901234567}], "s": "id 9007199254740993 \\" 1234567890123456", "f": 1.5e300, "small": 42}'
    expect(parseWithExactIds(text, ['d', 'taskId'])).toEqual({
      d: '9007199254740993',
      items: [{ taskId: '-12345678901234567' }],
      s: 'id 9007199254740993 " 1234567890123456',
      f: 1.5e300,
      small: 42
    })
    expect(exactId(42)).toBe('42')
    expect(exactId('9007199254740993')).toBe('9007199254740993')
    expect(exactId(2 ** 53 + 2)).toBeUndefined()
    expect(exactId('12a')).toBeUndefined()
  })
})

describe("Lux3D's answer to a creation", () => {
  const answer = (status: number, body: string) => ({ status, body })

  it('gives the task id from d, exact', () => {
    expect(
      interpretCreated(answer(200, '{"c":"0","m":"","d":18446744073709551615,"f":null}'), 'x')
    ).toEqual({
      kind: 'created',
      taskId: '18446744073709551615'
    })
  })

  it('knows the quota by its code in c or m, or by HTTP 429', () => {
    for (const [status, body] of [
      [200, `{"c":"${CONCURRENCY_CODE}","m":"busy"}`],
      [200, `{"c":"-1","m":"${CONCURRENCY_CODE}: busy"}`],
      [429, '']
    ] as const) {
      expect(interpretCreated(answer(status, body), 'x').kind).toBe('quota')
    }
  })

  it('says a task may exist after a 5xx or an answer without an id, and refuses the rest', () => {
    expect(() => interpretCreated(answer(502, '<html>'), 'the task')).toThrow(Lux3dUnknownFateError)
    expect(() => interpretCreated(answer(200, '{"c":"0","m":""}'), 'the task')).toThrow(
      /carried no task id in d.*a Lux3D task may have been created/
    )
    expect(() =>
      interpretCreated(answer(200, '{"c":"400","m":"prompt is required"}'), 'the task')
    ).toThrow(
      new Lux3dRequestError(
        'The Aholo gateway refused the task: HTTP 200, c "400", m "prompt is required"'
      )
    )
    expect(() => interpretCreated(answer(401, '{"c":"401","m":"bad key"}'), 'the task')).toThrow(
      /refused the API key/
    )
  })
})

describe('the outputs and the summary of the create action', () => {
  const job = (i: number, reused = false): JobRecord => ({
    name: `room ${i} [aholo:0000000${i % 10}]`,
    id: `W${i}`,
    reused,
    files: 20,
    bytes: 4_000_000
  })

  it('gives the ids one per line for the wait action, and the uploads by file', () => {
    const { outputs, shortened } = buildCreateOutputs(
      'world',
      [job(1), job(2, true)],
      [{ file: 'photos/a.jpg', url: 'https://ous.example/a.jpg', md5: 'ab', bytes: 3 }],
      '/tmp/results.json',
      NO_SECRETS
    )
    expect(shortened).toEqual([])
    expect(outputs['task-ids']).toBe('W1\nW2')
    expect(JSON.parse(outputs.uploads)).toEqual({
      'photos/a.jpg': { url: 'https://ous.example/a.jpg', md5: 'ab', bytes: 3 }
    })
  })

  it('keeps jobs and uploads small at any scale, every id still in task-ids, and redacts', () => {
    const jobs = Array.from({ length: 3000 }, (_, i) => job(i))
    const uploads = Array.from({ length: 3000 }, (_, i) => ({
      file: `photos/${i}.jpg`,
      url: `https://ous.example/secret-value-1/${i}.jpg`,
      md5: 'f'.repeat(32),
      bytes: 1
    }))
    const { outputs, shortened } = buildCreateOutputs(
      'world',
      jobs,
      uploads,
      '/tmp/r.json',
      new Redactor(['secret-value-1'])
    )
    expect(outputs['task-ids'].split('\n')).toHaveLength(3000)
    expect(shortened).toEqual([
      expect.stringMatching(/^jobs \(the first \d+ of 3000\)$/),
      expect.stringMatching(/^uploads \(the first \d+ of 3000\)$/)
    ])
    expect(outputs.jobs.length * 2).toBeLessThanOrEqual(128 * 1024)
    expect(outputs.uploads.length * 2).toBeLessThanOrEqual(96 * 1024)
    expect(outputs.uploads).not.toContain('secret-value-1')
    expect(JSON.parse(outputs.uploads)['photos/0.jpg'].url).toBe('https://ous.example/***/0.jpg')
  })

  it('shows jobs made and reused, the uploads, and says so on a dry run', () => {
    const summary = renderCreateSummary({
      dryRun: false,
      provider: 'world',
      jobs: [job(1), job(2, true), { ...job(3), name: 'a|b', id: null }],
      uploads: { count: 20, bytes: 4_000_000, ms: 2500, deduplicated: 2 }
    })
    // Names are text: the brackets of the tag are escaped, never link syntax.
    expect(summary).toContain('| room 1 \\[aholo:00000001\\] | W1 | ✅ made | 20 | 3.8 MiB |')
    expect(summary).toContain('| room 2 \\[aholo:00000002\\] | W2 | ♻️ reused |')
    expect(summary).toContain('| a\\|b |  | — not made |')
    expect(summary).toContain('Uploads: 20 files, 3.8 MiB in 2.5s, 2 already on the service.')
    const dry = renderCreateSummary({
      dryRun: true,
      provider: 'lux3d',
      jobs: [{ ...job(1), id: null }],
      uploads: { count: 1, bytes: 10, ms: 0, deduplicated: 0 }
    })
    expect(dry).toContain('## Aholo jobs: dry run')
    expect(dry).toContain('would be made')
    expect(dry).toContain('Files to upload: 1 (10 B).')
  })
})
