/**
 * The two hosts of an upload, each request under the one retry policy, deadline and cancel: the
 * asset gateway, which takes the API key and hands out a token, and the upload service at the
 * token's `globalDomain`, which takes the token alone (DESIGN.md §2d).
 */
import { NetworkError, readText, sendRequest, USER_AGENT } from '../net/http.js'
import { DeadlineError, type Fault, parseRetryAfter, withRetries } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { interpretOus, interpretToken, type RawAnswer, type UploadToken } from './answers.js'
import type { MultipartBody } from './multipart.js'
import type { UploadedFile } from './upload-file.js'

export type UploadRegion = 'cn' | 'global'

/** What an upload needs from the action: where, with what key, and under which deadline. */
export interface UploadContext {
  /** Sent to the gateway alone, in `Authorization`; never logged. */
  apiKey: string
  region: UploadRegion
  /** The gateway's root (scheme, host, an optional path of its own); default the region's. */
  apiUrl?: URL
  clock: Clock
  /** The run's one cancellation. */
  signal: AbortSignal
  /** The run's one deadline, on `clock.now()`. */
  deadline: number
  log: Pick<Log, 'info' | 'debug' | 'warning'>
  /** Limit of one request that sends no file (default 30 s), within the deadline. */
  requestTimeoutMs?: number
  /** Limit of silence while a file's bytes go out or its answer is awaited (default 60 s). */
  idleTimeoutMs?: number
  /** Before each wait caused by a fault. */
  onRetry?: (fault: Fault, nextAttempt: number, delayMs: number) => void
  /**
   * Each file as the service finishes it, before the others: what a cancelled or failed run
   * still uploaded, for its outputs.
   */
  onUploaded?: (file: UploadedFile) => void
  /** Tests only: host names reached over plain http although they are not loopback. */
  allowInsecureHosts?: readonly string[]
}

export const ASSET_GATEWAYS: Record<UploadRegion, { origin: string; tokenPath: string }> = {
  cn: { origin: 'https://api.aholo3d.cn', tokenPath: '/asset/v1/token' },
  global: { origin: 'https://api.aholo3d.com', tokenPath: '/global/asset/v1/token' }
}

const MAX_ANSWER_BYTES = 1024 * 1024
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
const DEFAULT_IDLE_TIMEOUT_MS = 60_000

export function tokenUrl(context: Pick<UploadContext, 'region' | 'apiUrl'>): URL {
  const gateway = ASSET_GATEWAYS[context.region]
  const { apiUrl } = context
  const root = apiUrl ? `${apiUrl.origin}${apiUrl.pathname.replace(/\/+$/, '')}` : gateway.origin
  return new URL(`${root}${gateway.tokenPath}`)
}

/** One token from the gateway: the only request that carries the API key. */
export function fetchToken(context: UploadContext, signal: AbortSignal): Promise<UploadToken> {
  const url = tokenUrl(context)
  return retried(context, signal, () =>
    exchange(context, signal, {
      method: 'GET',
      url,
      headers: { Authorization: context.apiKey, Accept: 'application/json' }
    }).then(answer => interpretToken(answer, context.allowInsecureHosts))
  )
}

/** Calls to the upload service under one token: the token goes in `ous-token-v2`, nothing else. */
export class OusSession {
  constructor(
    private readonly context: UploadContext,
    private readonly token: UploadToken,
    private readonly signal: AbortSignal
  ) {}

  get blockSize(): number {
    return this.token.blockSize
  }

  /** POST `path` with a multipart body streamed from disk; a fresh stream per try. */
  postForm(
    path: string,
    form: MultipartBody,
    what: string,
    signal = this.signal
  ): Promise<unknown> {
    return retried(this.context, signal, () =>
      exchange(
        this.context,
        signal,
        {
          method: 'POST',
          url: this.url(path),
          headers: this.headers(form.headers),
          body: form.open()
        },
        true
      ).then(answer => interpretOus(answer, what))
    )
  }

  /** POST `path` with a query string and no body (block upload init). */
  postQuery(path: string, query: Record<string, string>, what: string): Promise<unknown> {
    const url = this.url(path)
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
    return this.call('POST', url, what)
  }

  get(path: string, what: string, signal = this.signal): Promise<unknown> {
    return this.call('GET', this.url(path), what, signal)
  }

  private call(method: 'GET' | 'POST', url: URL, what: string, signal = this.signal) {
    return retried(this.context, signal, () =>
      exchange(this.context, signal, {
        method,
        url,
        headers: this.headers(method === 'POST' ? { 'Content-Length': '0' } : {})
      }).then(answer => interpretOus(answer, what))
    )
  }

  private url(path: string): URL {
    const base = this.token.globalDomain
    return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`)
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return { 'ous-token-v2': this.token.ousToken, Accept: 'application/json', ...extra }
  }
}

function retried<T>(context: UploadContext, signal: AbortSignal, attempt: () => Promise<T>) {
  return withRetries(attempt, {
    clock: context.clock,
    signal,
    deadline: context.deadline,
    onRetry: context.onRetry
  })
}

interface Exchange {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body?: ReturnType<MultipartBody['open']>
}

/** One request and its whole (small) answer. A file's bytes get an idle limit, not a total one. */
async function exchange(
  context: UploadContext,
  signal: AbortSignal,
  request: Exchange,
  sendsFile = false
): Promise<RawAnswer> {
  const { clock, log, deadline } = context
  const left = Math.max(1, deadline - clock.now())
  const limit = sendsFile
    ? left
    : Math.min(context.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, left)
  const started = clock.now()
  log.debug(
    `${request.method} ${request.url.origin}${request.url.pathname}, time limit ${Math.round(limit)} ms`
  )
  try {
    const response = await sendRequest({
      method: request.method,
      url: request.url,
      headers: { 'User-Agent': USER_AGENT, ...request.headers },
      body: request.body,
      signal,
      timeoutMs: limit,
      idleTimeoutMs: sendsFile ? (context.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) : undefined
    })
    const retryAfter = response.headers['retry-after']
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      clock.wallClock()
    )
    const body = await readText(response, MAX_ANSWER_BYTES, signal)
    log.debug(`HTTP ${response.status} after ${Math.round(clock.now() - started)} ms`)
    return { status: response.status, body, retryAfterMs }
  } catch (error) {
    // Cut short by the deadline, not by the service: time is up, and nobody is to blame.
    if (error instanceof NetworkError && clock.now() >= deadline) throw new DeadlineError()
    throw error
  }
}
