import { describeError } from '../src/errors.js'
import { Fault } from '../src/net/retry.js'
import {
  describeApiError,
  interpretDetail,
  interpretList,
  isInProgressStatus,
  parseApiError,
  stateOfWorldStatus,
  WorldAccessError,
  WorldAuthError,
  WorldRequestError,
  WorldResponseError
} from '../src/providers/world/envelope.js'

const UNAUTHENTICATED = {
  code: 401,
  message: 'Invalid API key',
  status: 'UNAUTHENTICATED',
  details: { reason: 'INVALID_API_KEY', domain: 'api.aholo3d.cn', metaData: { bizCode: '10004' } },
  localizedMessage: { locale: 'zh_CN', message: 'API Key 无效或已过期' },
  help: { desc: '错误码说明', url: 'https://labs.aholo3d.cn/api-docs/sdk' }
}

function answer(status: number, body: unknown, retryAfterMs?: number) {
  return { status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfterMs }
}

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('World statuses', () => {
  it.each([
    ['PENDING', 'queued'],
    ['PREPROCESSING', 'preprocessing'],
    ['RUNNING', 'running'],
    ['SUCCEEDED', 'succeeded'],
    ['FAILED', 'failed'],
    ['CANCELED', 'cancelled'],
    ['TIMEOUT', 'timed-out'],
    ['REJECTED', 'rejected'],
    ['ARCHIVED', 'unknown'],
    ['running', 'unknown'],
    ['', 'unknown']
  ])('maps %j to %s', (status, state) => {
    expect(stateOfWorldStatus(status)).toBe(state)
  })

  it('counts only PENDING, PREPROCESSING and RUNNING as in progress', () => {
    expect(['PENDING', 'PREPROCESSING', 'RUNNING'].every(isInProgressStatus)).toBe(true)
    expect(['SUCCEEDED', 'FAILED', 'ARCHIVED'].some(isInProgressStatus)).toBe(false)
  })
})

describe('an ApiError body', () => {
  it('is said with status, message, reason, bizCode, the localized message and the help link', () => {
    expect(describeApiError(401, parseApiError(UNAUTHENTICATED))).toBe(
      'HTTP 401 UNAUTHENTICATED: Invalid API key (reason INVALID_API_KEY, bizCode 10004; ' +
        'zh_CN: API Key 无效或已过期; help https://labs.aholo3d.cn/api-docs/sdk)'
    )
  })

  it('leaves out what the body does not give, and says just the HTTP status without a body', () => {
    expect(
      describeApiError(403, parseApiError({ status: 'PERMISSION_DENIED', message: 'no' }))
    ).toBe('HTTP 403 PERMISSION_DENIED: no')
    expect(describeApiError(502, undefined)).toBe('HTTP 502')
    expect(parseApiError({ worldId: 'W' })).toBeUndefined()
    expect(parseApiError([1, 2])).toBeUndefined()
  })

  it('cuts an endless message short and keeps it on one line', () => {
    const said = describeApiError(400, parseApiError({ message: `a\nb${'x'.repeat(10_000)}` }))
    expect(said.length).toBeLessThan(400)
    expect(said).not.toContain('\n')
    expect(said).toContain('10003 characters')
  })
})

describe('the answer to GET {prefix}/{worldId}', () => {
  it('reads a finished world with its assets', () => {
    const world = interpretDetail(
      answer(200, {
        worldId: 'W1',
        name: '客厅',
        cover: 'https://cdn.example/c.jpg',
        status: 'SUCCEEDED',
        progress: 1,
        assets: {
          splats: {
            urls: { plyPath: 'https://x/a.ply', spzPath: 'https://x/a.spz', lodMetaPath: null }
          },
          imagery: { panoUrl: 'https://x/p.jpg' },
          semanticsMetadata: { upAxis: 'Z' }
        }
      }),
      'W1',
      'cn'
    )
    expect(world).toEqual({
      worldId: 'W1',
      status: 'SUCCEEDED',
      progress: 1,
      name: '客厅',
      cover: 'https://cdn.example/c.jpg',
      urls: { plyPath: 'https://x/a.ply', spzPath: 'https://x/a.spz' },
      panoUrl: 'https://x/p.jpg',
      upAxis: 'Z'
    })
  })

  it('reads sogPath when the gateway sends it, and leaves it out when empty or absent', () => {
    const withSog = (sogPath: unknown) =>
      interpretDetail(
        answer(200, {
          worldId: 'W1',
          status: 'SUCCEEDED',
          assets: { splats: { urls: { plyPath: 'https://x/a.ply', sogPath } } }
        }),
        'W1',
        'cn'
      )
    expect(withSog('https://x/a.sog')).toMatchObject({
      urls: { plyPath: 'https://x/a.ply', sogPath: 'https://x/a.sog' }
    })
    for (const none of [undefined, null, '', 42]) {
      expect(withSog(none)).toEqual({
        worldId: 'W1',
        status: 'SUCCEEDED',
        urls: { plyPath: 'https://x/a.ply' }
      })
    }
  })

  it('takes a body after a byte-order mark, and keeps the asked id whatever the body says', () => {
    const world = interpretDetail(
      answer(200, `\uFEFF${JSON.stringify({ status: 'RUNNING' })}`),
      'W2',
      'cn'
    )
    expect(world).toEqual({ worldId: 'W2', status: 'RUNNING', urls: {} })
  })

  it('is not-found for a 404, not an error', () => {
    expect(
      interpretDetail(answer(404, { status: 'NOT_FOUND', message: '世界不存在' }), 'W', 'cn')
    ).toBe('not-found')
  })

  it('fails for 401 with a hint naming api-key and where keys are made, for either region', () => {
    const error = thrown(() => interpretDetail(answer(401, UNAUTHENTICATED), 'W', 'global'))
    expect(error).toBeInstanceOf(WorldAuthError)
    const text = describeError(error)
    expect(text).toContain("'api-key'")
    expect(text).toContain('"API keys" page')
    expect(text).toContain('https://labs.aholo3d.com')
    expect(text).toContain('bizCode 10004')
    expect(text).toContain("'region' is global")
  })

  it('fails for 403 naming the world', () => {
    const error = thrown(() =>
      interpretDetail(answer(403, { status: 'PERMISSION_DENIED', message: 'denied' }), 'W9', 'cn')
    )
    expect(error).toBeInstanceOf(WorldAccessError)
    expect((error as WorldAccessError).worldId).toBe('W9')
    expect((error as Error).message).toContain('world W9')
  })

  it('fails for 400 with what the gateway said', () => {
    const body = { status: 'INVALID_ARGUMENT', message: 'bad id', details: { reason: 'X' } }
    const error = thrown(() => interpretDetail(answer(400, body), 'W', 'cn'))
    expect(error).toBeInstanceOf(WorldRequestError)
    expect((error as WorldRequestError).httpStatus).toBe(400)
    expect((error as Error).message).toContain('HTTP 400 INVALID_ARGUMENT: bad id (reason X)')
  })

  it.each([
    [429, 3000, 'HTTP 429'],
    [408, undefined, 'HTTP 408'],
    [500, undefined, 'HTTP 500'],
    [503, undefined, 'HTTP 503']
  ])('is a Fault for HTTP %i, with the Retry-After asked for', (status, retryAfterMs, kind) => {
    const error = thrown(() =>
      interpretDetail(answer(status, '<html>busy</html>', retryAfterMs), 'W', 'cn')
    )
    expect(error).toBeInstanceOf(Fault)
    expect((error as Fault).kind).toBe(kind)
    expect((error as Fault).retryAfterMs).toBe(retryAfterMs)
  })

  it('is a Fault for HTML under HTTP 200, and an error for JSON that is not a world', () => {
    const html = thrown(() => interpretDetail(answer(200, '<!doctype html><p>hi</p>'), 'W', 'cn'))
    expect((html as Fault).kind).toBe('not JSON')
    expect(thrown(() => interpretDetail(answer(200, '[1]'), 'W', 'cn'))).toBeInstanceOf(
      WorldResponseError
    )
    expect(thrown(() => interpretDetail(answer(302, ''), 'W', 'cn'))).toBeInstanceOf(
      WorldResponseError
    )
  })
})

describe('the answer to POST {prefix}/list', () => {
  it('reads a page, skipping records without a worldId', () => {
    const page = interpretList(
      answer(200, {
        pageNum: 1,
        pageSize: 100,
        count: 3,
        totalCount: 250,
        hasMore: true,
        result: [
          { worldId: 'A', status: 'RUNNING', progress: 0.4 },
          { status: 'RUNNING' },
          'junk',
          { worldId: 'B', status: 'PENDING', progress: 'soon' }
        ]
      }),
      'cn'
    )
    expect(page).toEqual({
      pageNum: 1,
      totalCount: 250,
      hasMore: true,
      worlds: [
        { worldId: 'A', status: 'RUNNING', progress: 0.4, urls: {} },
        { worldId: 'B', status: 'PENDING', urls: {} }
      ]
    })
  })

  it('takes an empty page with nothing but the defaults', () => {
    expect(interpretList(answer(200, {}), 'cn')).toEqual({
      pageNum: 0,
      totalCount: undefined,
      hasMore: false,
      worlds: []
    })
  })

  it('fails for a 404 with a hint at api-url, and for a result that is not an array', () => {
    const missing = thrown(() =>
      interpretList(answer(404, { status: 'NOT_FOUND', message: 'x' }), 'cn')
    )
    expect(missing).toBeInstanceOf(WorldRequestError)
    expect(describeError(missing)).toContain("'api-url'")
    const html = thrown(() => interpretList(answer(404, '<html>404</html>'), 'cn'))
    expect(html).toBeInstanceOf(WorldResponseError)
    expect(thrown(() => interpretList(answer(200, { result: {} }), 'cn'))).toBeInstanceOf(
      WorldResponseError
    )
  })

  it('fails for a 403 as an access error that names no world', () => {
    const error = thrown(() =>
      interpretList(answer(403, { status: 'PERMISSION_DENIED', message: 'no' }), 'cn')
    )
    expect(error).toBeInstanceOf(WorldAccessError)
    expect((error as WorldAccessError).worldId).toBeUndefined()
    expect((error as Error).message).toContain("the account's world list")
  })
})
