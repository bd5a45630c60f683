import { NetworkError, readText, sendRequest } from '../http.js'
import { type BackoffPolicy, DEFAULT_BACKOFF, parseRetryAfter, retryDelay } from '../retry.js'
import { type Credentials, sign } from './sign.js'

export const TASK_LIST_PATH = '/v2/aholo/project/task/list/by-ids'

export interface AssetUrls {
  plyPath?: string
  spzPath?: string
  sogPath?: string
}

export interface AholoTask {
  taskId: string
  status: number
  result: AssetUrls | null
}

/** The service answered with `c` other than "0": a business error such as a bad signature. */
export class AholoApiError extends Error {
  constructor(
    readonly code: string,
    readonly apiMessage: string
  ) {
    super(`Aholo API error c=${JSON.stringify(code)}: ${apiMessage || '(no message)'}`)
    this.name = 'AholoApiError'
  }
}

/** A response that is JSON but not the documented envelope, or an HTTP error that no retry fixes. */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedResponseError'
  }
}

/** A fault that may pass: network error, 5xx, 408, 429, a body that is not JSON. */
export class TransientError extends Error {
  constructor(
    message: string,
    /** Groups faults of one kind, so each kind is reported once. */
    readonly kind: string,
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

/** The overall deadline cut a request short: time is up, and the service is not to blame. */
export class DeadlineReachedError extends Error {
  constructor() {
    super('the deadline passed during a request')
    this.name = 'DeadlineReachedError'
  }
}

export interface ClientOptions {
  apiUrl: URL
  credentials: Credentials
  /** Milliseconds for deadlines and waits (injectable). */
  now: () => number
  /** Unix milliseconds for `timestamp` and HTTP dates; the real clock in production. */
  wallClock: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  random: () => number
  requestTimeoutMs: number
  backoff?: BackoffPolicy
  /** Called before each wait caused by a transient fault. */
  onRetry?: (fault: TransientError, attempt: number, delayMs: number) => void
  debug?: (message: string) => void
}

export interface CallOptions {
  signal?: AbortSignal
  /** No attempt starts, and no wait runs, past this time (on `now`'s clock). */
  deadline: number
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024

export class AholoClient {
  private readonly endpoint: URL

  constructor(private readonly options: ClientOptions) {
    this.endpoint = new URL(options.apiUrl.href.replace(/\/+$/, '') + TASK_LIST_PATH)
  }

  /**
   * Asks for the tasks with these ids (one request), retrying transient faults until `deadline`.
   * Throws AholoApiError or MalformedResponseError at once; TransientError when time ran out.
   */
  async listTasks(ids: readonly string[], call: CallOptions): Promise<AholoTask[]> {
    const { now, sleep, random } = this.options
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attemptOnce(ids, call)
      } catch (error) {
        if (!(error instanceof TransientError)) throw error
        const delay = retryDelay(
          attempt,
          error.retryAfterMs,
          this.options.backoff ?? DEFAULT_BACKOFF,
          random
        )
        if (now() + delay >= call.deadline) throw error
        this.options.onRetry?.(error, attempt + 1, delay)
        await sleep(delay, call.signal)
      }
    }
  }

  private async attemptOnce(ids: readonly string[], call: CallOptions): Promise<AholoTask[]> {
    const { credentials, now, wallClock, requestTimeoutMs, debug } = this.options
    const timestamp = wallClock()
    const url = new URL(this.endpoint)
    url.searchParams.set('appuid', credentials.appUid)
    url.searchParams.set('appkey', credentials.appKey)
    url.searchParams.set('timestamp', String(timestamp))
    url.searchParams.set('sign', sign(credentials, timestamp))

    const remainingMs = call.deadline - now()
    if (remainingMs <= 0) throw new DeadlineReachedError()
    const timeoutMs = Math.min(requestTimeoutMs, remainingMs)
    const started = now()
    // The query string carries the sign: logs show the path only.
    debug?.(`POST ${this.endpoint.href} with ${ids.length} id(s), time limit ${timeoutMs} ms`)
    let status: number
    let body: string
    let retryAfter: string | undefined
    try {
      const response = await sendRequest({
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(ids),
        signal: call.signal,
        timeoutMs
      })
      status = response.status
      retryAfter = headerValue(response.headers['retry-after'])
      body = await readText(response, MAX_RESPONSE_BYTES, call.signal)
    } catch (error) {
      if (error instanceof NetworkError) {
        if (error.code === 'ETIMEDOUT' && timeoutMs < requestTimeoutMs && now() >= call.deadline) {
          throw new DeadlineReachedError()
        }
        throw new TransientError(`network error: ${error.message}`, `network ${error.code}`)
      }
      throw error
    }
    debug?.(`HTTP ${status} after ${Math.round(now() - started)} ms, ${body.length} bytes`)
    return interpretResponse(status, body, parseRetryAfter(retryAfter, wallClock()))
  }
}

/** Decides what one HTTP answer means: tasks, or one of the typed errors. Pure. */
export function interpretResponse(
  status: number,
  body: string,
  retryAfterMs?: number
): AholoTask[] {
  if (status === 429 || status === 408 || status >= 500) {
    throw new TransientError(
      `HTTP ${status}${retryAfterMs !== undefined ? `, Retry-After ${retryAfterMs} ms` : ''}`,
      `HTTP ${status}`,
      retryAfterMs
    )
  }
  let envelope: unknown
  try {
    envelope = JSON.parse(body)
  } catch {
    // Proxies and gateways answer with HTML pages; these pass.
    if (status >= 200 && status < 300) {
      throw new TransientError(
        `the response is not JSON (starts with ${JSON.stringify(body.slice(0, 40))})`,
        'not JSON'
      )
    }
    throw new MalformedResponseError(
      `HTTP ${status} with a body that is not JSON: check 'api-url'.`
    )
  }
  if (!isRecord(envelope) || !('c' in envelope)) {
    throw new MalformedResponseError(
      `HTTP ${status}: the response is not the Aholo envelope {c, d, m}: check 'api-url'.`
    )
  }
  const code = String(envelope.c)
  if (code !== '0') {
    throw new AholoApiError(
      code,
      typeof envelope.m === 'string' ? envelope.m : JSON.stringify(envelope.m ?? null)
    )
  }
  if (status < 200 || status >= 300) {
    throw new MalformedResponseError(`HTTP ${status} with c="0": the response cannot be trusted.`)
  }
  if (!Array.isArray(envelope.d)) {
    throw new MalformedResponseError(
      `c="0" but d is ${envelope.d === null ? 'null' : typeof envelope.d}, not an array of tasks.`
    )
  }
  return envelope.d.map((item, index) => parseTask(item, index))
}

function parseTask(item: unknown, index: number): AholoTask {
  const where = `d[${index}]`
  if (!isRecord(item) || typeof item.taskId !== 'string' || !Number.isInteger(item.status)) {
    throw new MalformedResponseError(`${where} is not a task {taskId: string, status: integer}.`)
  }
  let result: AssetUrls | null = null
  if (isRecord(item.result)) {
    result = {}
    for (const key of ['plyPath', 'spzPath', 'sogPath'] as const) {
      const value = item.result[key]
      if (typeof value === 'string' && value !== '') result[key] = value
      else if (value !== undefined && value !== null && value !== '') {
        throw new MalformedResponseError(`${where}.result.${key} is not a string.`)
      }
    }
  } else if (item.result !== undefined && item.result !== null) {
    throw new MalformedResponseError(`${where}.result is neither an object nor null.`)
  }
  return { taskId: item.taskId, status: item.status as number, result }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
