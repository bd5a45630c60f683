import { sign } from '../src/providers/open-platform/sign.js'
import { isFinalState } from '../src/domain/task-state.js'
import { isKnownStatus, stateOfStatus } from '../src/providers/open-platform/status.js'
import { formatDuration, parseDuration, parseSize } from '../src/units.js'
import {
  API_RETRY,
  DeadlineError,
  Fault,
  parseRetryAfter,
  retryDelay,
  withRetries
} from '../src/net/retry.js'
import { MAX_TIMER_MS, timerDelay } from '../src/runtime.js'
import {
  interpretResponse,
  OpenPlatformApiError,
  MalformedResponseError
} from '../src/providers/open-platform/envelope.js'
import { FakeTime } from './support/fake-time.js'

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
    expect(stateOfStatus(status)).toBe(state)
    expect(isFinalState(stateOfStatus(status))).toBe(final)
    expect(isKnownStatus(status)).toBe(true)
  })

  it.each([9, -1, 42])('treats unknown status %i as unknown and not final', status => {
    expect(stateOfStatus(status)).toBe('unknown')
    expect(isFinalState('unknown')).toBe(false)
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

describe('sizes', () => {
  it.each([
    ['150MB', 150_000_000],
    ['2GiB', 2 * 2 ** 30],
    ['512kB', 512_000],
    ['1.5MiB', 1.5 * 2 ** 20],
    ['4096', 4096],
    ['10 B', 10],
    ['1.1MB', 1_100_000],
    ['0.5KiB', 512],
    ['2.000', 2]
  ])('parses %j as %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })

  it.each(['', '150mb', '1TB', '2 GIB', 'KiB', '-1MB', '1e6', '150 M', '0.5', '0.4', '1.0001kB'])(
    'rejects %j, a fraction of a byte among them',
    text => {
      expect(parseSize(text)).toBeUndefined()
    }
  )
})

describe('the one retry policy', () => {
  it('draws a full-jitter backoff, never under the 1 s floor nor over the ceiling', () => {
    expect(retryDelay(0, undefined, API_RETRY, () => 0)).toBe(1000)
    expect(retryDelay(0, undefined, API_RETRY, () => 0.999)).toBe(1998)
    expect(retryDelay(3, undefined, API_RETRY, () => 0.5)).toBe(8000)
    expect(retryDelay(1000, undefined, API_RETRY, () => 0.999)).toBeLessThan(30_000)
  })

  it('honours Retry-After, but never below the floor nor past what a timer holds', () => {
    expect(retryDelay(5, 2000, API_RETRY, () => 0.9)).toBe(2000)
    expect(retryDelay(0, 0, API_RETRY, () => 0.9)).toBe(1000)
    expect(retryDelay(0, 2_200_000_000, API_RETRY, () => 0.9)).toBe(MAX_TIMER_MS)
    expect(retryDelay(0, 600_000, { ...API_RETRY, maxRetryAfterMs: 120_000 }, () => 0.9)).toBe(
      120_000
    )
  })

  it('clamps every timer delay to what Node can hold', () => {
    expect(timerDelay(597 * 3_600_000)).toBe(MAX_TIMER_MS)
    expect(timerDelay(-5)).toBe(0)
    expect(timerDelay(Infinity)).toBe(MAX_TIMER_MS)
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('retries faults until the call succeeds, telling each wait', async () => {
    const time = new FakeTime()
    const waits: number[] = []
    let calls = 0
    const value = await withRetries(
      async () => {
        if (++calls < 3) throw new Fault('HTTP 503', 'HTTP 503')
        return 'ok'
      },
      { clock: time, onRetry: (_, __, delayMs) => waits.push(delayMs) }
    )
    expect(value).toBe('ok')
    expect(waits).toEqual(time.sleeps)
    expect(waits.every(ms => ms >= 1000)).toBe(true)
  })

  it('ends at the deadline, waiting up to it, when the next wait would pass it', async () => {
    const time = new FakeTime()
    const error = await withRetries(
      async () => {
        throw new Fault('HTTP 429', 'HTTP 429', 3_600_000)
      },
      { clock: time, deadline: 600_000 }
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineError)
    expect((error as DeadlineError).note).toBe(
      "the service asked to retry after 1h, beyond the 'timeout'"
    )
    expect(time.current).toBe(600_000)
  })

  it('gives up after maxAttempts, throwing the last fault', async () => {
    const time = new FakeTime()
    let calls = 0
    const error = await withRetries(
      async () => {
        calls++
        throw new Fault(`try ${calls}`, 'x')
      },
      { clock: time, policy: { ...API_RETRY, maxAttempts: 3 } }
    ).catch((e: unknown) => e)
    expect((error as Fault).message).toBe('try 3')
    expect(calls).toBe(3)
  })

  it('passes anything that is not a fault straight through', async () => {
    const time = new FakeTime()
    const error = await withRetries(
      async () => {
        throw new Error('permanent')
      },
      { clock: time }
    ).catch((e: unknown) => e)
    expect((error as Error).message).toBe('permanent')
    expect(time.sleeps).toEqual([])
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
    expect(error).toBeInstanceOf(OpenPlatformApiError)
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
    expect(catchError(() => interpretResponse(status, ''))).toBeInstanceOf(Fault)
  })

  it('treats a 200 that is not JSON as transient, and a 404 that is not JSON as malformed', () => {
    expect(catchError(() => interpretResponse(200, '<html>'))).toBeInstanceOf(Fault)
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

describe('the version the User-Agent names', () => {
  it('is package.json’s', async () => {
    const { ACTION_VERSION } = await import('../src/version.js')
    const { readFileSync } = await import('node:fs')
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(ACTION_VERSION).toBe(pkg.version)
  })
})
