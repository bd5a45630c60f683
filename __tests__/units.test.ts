import { sign } from '../src/providers/open-platform/sign.js'
import { describeStatus, isKnownStatus } from '../src/aholo/status.js'
import { formatDuration, parseDuration } from '../src/units.js'
import { backoffDelay, parseRetryAfter, retryDelay } from '../src/net/retry.js'
import {
  interpretResponse,
  AholoApiError,
  MalformedResponseError,
  TransientError
} from '../src/providers/open-platform/client.js'

describe('sign', () => {
  it('is md5(appSecret + appKey + appUid + timestamp) in lowercase hex', () => {
    expect(sign({ appSecret: 's3cr3t', appKey: 'k3y', appUid: 'u1d' }, 1700000000000)).toBe(
      '689315560c84a993f4a53b87dcb9f8e1'
    )
  })

  it('changes with the timestamp', () => {
    const credentials = { appSecret: 's3cr3t', appKey: 'k3y', appUid: 'u1d' }
    expect(sign(credentials, 1700000000001)).not.toBe(sign(credentials, 1700000000000))
  })
})

describe('status mapping', () => {
  it.each([
    [0, 'queued', false],
    [1, 'waiting', false],
    [2, 'running', false],
    [8, 'preprocessing', false],
    [3, 'succeeded', true],
    [4, 'failed', true],
    [5, 'cancelled', true],
    [6, 'timed-out', true],
    [7, 'rejected', true]
  ])('maps status %i to %s (final: %s)', (status, state, final) => {
    expect(describeStatus(status)).toEqual({ state, final })
    expect(isKnownStatus(status)).toBe(true)
  })

  it.each([9, -1, 42])('treats unknown status %i as unknown and not final', status => {
    expect(describeStatus(status)).toEqual({ state: 'unknown', final: false })
    expect(isKnownStatus(status)).toBe(false)
  })
})

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['30', 30_000],
    ['1.5', 1500],
    ['1.5s', 1500],
    [' 2M ', 120_000]
  ])('parses %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'ten', '10 minutes', '-5s', '5d', '1e3', '1h30m', 's'])('rejects %j', text => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it('formats for people', () => {
    expect(formatDuration(250)).toBe('250ms')
    expect(formatDuration(4200)).toBe('4.2s')
    expect(formatDuration(10_000)).toBe('10s')
    expect(formatDuration(125_000)).toBe('2m 5s')
    expect(formatDuration(3_600_000)).toBe('1h')
  })
})

describe('retry policy', () => {
  const policy = { baseMs: 1000, maxMs: 30_000 }

  it('draws a full-jitter wait below an exponentially growing ceiling', () => {
    expect(backoffDelay(0, policy, () => 0.999)).toBe(999)
    expect(backoffDelay(3, policy, () => 0.5)).toBe(4000)
    expect(backoffDelay(0, policy, () => 0)).toBe(0)
  })

  it('never waits longer than the cap', () => {
    expect(backoffDelay(20, policy, () => 0.999)).toBe(29_970)
    expect(backoffDelay(1000, policy, () => 0.999)).toBeLessThan(30_000)
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it("prefers the server's Retry-After to the backoff", () => {
    expect(retryDelay(5, 2000, policy, () => 0.9)).toBe(2000)
    expect(retryDelay(1, undefined, policy, () => 0.5)).toBe(1000)
  })
})

describe('interpreting a response', () => {
  const task = {
    taskId: 'A1',
    status: 3,
    result: { plyPath: 'https://x/a.ply', spzPath: 'https://x/a.spz' }
  }

  it('returns the tasks of a successful envelope', () => {
    expect(interpretResponse(200, JSON.stringify({ c: '0', d: [task], m: null, f: '' }))).toEqual([
      {
        taskId: 'A1',
        status: 3,
        result: { plyPath: 'https://x/a.ply', spzPath: 'https://x/a.spz' }
      }
    ])
  })

  it('turns c other than "0" into an API error carrying c and m', () => {
    const error = catchError(() =>
      interpretResponse(200, JSON.stringify({ c: '100002', d: null, m: '签名错误' }))
    )
    expect(error).toBeInstanceOf(AholoApiError)
    expect(error).toMatchObject({ code: '100002', apiMessage: '签名错误' })
    expect((error as Error).message).toContain('100002')
    expect((error as Error).message).toContain('签名错误')
  })

  it('calls c="0" with d null or not an array malformed', () => {
    for (const d of [null, {}, 'x']) {
      expect(
        catchError(() => interpretResponse(200, JSON.stringify({ c: '0', d, m: null })))
      ).toBeInstanceOf(MalformedResponseError)
    }
  })

  it('calls a task without a string id or an integer status malformed', () => {
    const body = JSON.stringify({ c: '0', d: [{ taskId: 1, status: 'x' }] })
    expect(catchError(() => interpretResponse(200, body))).toBeInstanceOf(MalformedResponseError)
  })

  it.each([500, 502, 503, 429, 408])('treats HTTP %i as transient', status => {
    expect(catchError(() => interpretResponse(status, ''))).toBeInstanceOf(TransientError)
  })

  it('treats a 200 that is not JSON as transient, and a 404 that is not JSON as malformed', () => {
    expect(catchError(() => interpretResponse(200, '<html>'))).toBeInstanceOf(TransientError)
    expect(catchError(() => interpretResponse(404, '<html>'))).toBeInstanceOf(
      MalformedResponseError
    )
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}
