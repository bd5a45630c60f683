/**
 * The two hosts of an upload, each request under the one retry policy, deadline and cancel: the
 * asset gateway, which takes the API key and hands out a token, and the upload service at the
 * token's `globalDomain`, which takes the token alone (DESIGN.md §2d).
 */
import { exchange as exchangeText } from '../net/exchange.js'
import { GATEWAY_ORIGINS, gatewayBase } from '../providers/gateway-request.js'
import { type Fault, withRetries } from '../net/retry.js'
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

/** The token path on the gateway of each region (the same hosts as World's and Lux3D's). */
export const ASSET_TOKEN_PATHS: Record<UploadRegion, string> = {
  cn: '/asset/v1/token',
  global: '/global/asset/v1/token'
}

const MAX_ANSWER_BYTES = 1024 * 1024
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
const DEFAULT_IDLE_TIMEOUT_MS = 60_000

export function tokenUrl({ region, apiUrl }: Pick<UploadContext, 'region' | 'apiUrl'>): URL {
  return new URL(gatewayBase(GATEWAY_ORIGINS[region], ASSET_TOKEN_PATHS[region], apiUrl))
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
function exchange(
  context: UploadContext,
  signal: AbortSignal,
  request: Exchange,
  sendsFile = false
): Promise<RawAnswer> {
  return exchangeText(
    {
      ...request,
      timeoutMs: sendsFile ? undefined : (context.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
      idleTimeoutMs: sendsFile ? (context.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) : undefined
    },
    { ...context, signal, maxBytes: MAX_ANSWER_BYTES }
  )
}
