import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient } from '@actions/http-client'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { cancellationOf } from '../errors.js'
import { ACTION_VERSION } from '../version.js'
import { Fault } from './retry.js'

/**
 * The one place that opens HTTP connections. Agents come from the toolkit's HttpClient so that
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY behave exactly as in every other action; the request itself
 * is Node's own, because the toolkit's client can neither be aborted nor stream a body without
 * buffering it, and it cannot follow a relative redirect.
 */

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers?: Record<string, string>
  body?: string
  /** Cancels the request (the run is being cancelled). */
  signal?: AbortSignal
  /** Limit for the whole exchange, headers and body. */
  timeoutMs?: number
  /** Limit for a silent socket, for long downloads where a total limit makes no sense. */
  idleTimeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: http.IncomingMessage
}

/** Names the action and its version in every request, to both APIs and to asset hosts. */
export const USER_AGENT = `aholo-task-action/${ACTION_VERSION}`

/** A failure to exchange bytes with the server: worth another try. */
export class NetworkError extends Fault {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message, `network ${code}`)
    this.name = 'NetworkError'
  }
}

// HttpClient caches one agent per instance: one instance per protocol (an http agent cannot carry
// https) and per proxy in effect (so a changed HTTPS_PROXY or NO_PROXY is not ignored).
const clients = new Map<string, HttpClient>()

function agentFor(url: URL): http.Agent {
  const key = `${url.protocol} ${getProxyUrl(url)?.href ?? 'direct'}`
  let client = clients.get(key)
  if (!client) {
    client = new HttpClient('aholo-task-action', [], { keepAlive: true })
    clients.set(key, client)
  }
  return client.getAgent(url.href)
}

export function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  const transport = request.url.protocol === 'https:' ? https : http
  // A controller and a timer of our own, both released when the exchange ends: thousands of
  // AbortSignal.timeout/any pairs would each live until their timer fires, and fill the heap.
  const controller = new AbortController()
  const outer = request.signal
  const onOuterAbort = (): void => controller.abort(outer?.reason)
  const timer =
    request.timeoutMs === undefined
      ? undefined
      : setTimeout(() => controller.abort(), Math.max(1, Math.ceil(request.timeoutMs)))
  const release = (): void => {
    clearTimeout(timer)
    outer?.removeEventListener('abort', onOuterAbort)
  }
  if (outer?.aborted) onOuterAbort()
  else outer?.addEventListener('abort', onOuterAbort, { once: true })

  return new Promise((resolve, reject) => {
    const req = transport.request(request.url, {
      method: request.method,
      headers: request.headers,
      agent: agentFor(request.url),
      signal: controller.signal
    })
    if (request.idleTimeoutMs !== undefined) {
      req.setTimeout(request.idleTimeoutMs, () =>
        req.destroy(new NetworkError(`no data for ${request.idleTimeoutMs} ms`, 'ETIMEDOUT'))
      )
    }
    req.on('response', message => {
      // Errors on the body after this point reach whoever reads it, as the same kinds of error.
      message.on('error', () => undefined)
      message.on('close', release)
      resolve({ status: message.statusCode ?? 0, headers: message.headers, body: message })
    })
    req.on('error', error => {
      release()
      reject(toRequestError(error, request))
    })
    req.end(request.body)
  })
}

/** Turns what Node throws into a NetworkError, or re-throws cancellation unchanged. */
export function toRequestError(error: unknown, request: Pick<HttpRequest, 'signal'>): Error {
  if (request.signal?.aborted) return cancellationOf(request.signal)
  if (error instanceof NetworkError) return error
  const err = error as NodeJS.ErrnoException
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return new NetworkError('the request took too long and was abandoned', 'ETIMEDOUT')
  }
  const code = typeof err.code === 'string' ? err.code : 'ENETWORK'
  return new NetworkError(err.message || code, code)
}

/** Reads a small body whole, refusing more than `limit` bytes so a wrong endpoint cannot eat memory. */
export async function readText(
  response: HttpResponse,
  limit: number,
  signal?: AbortSignal
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) {
        response.body.destroy()
        throw new NetworkError(`response larger than ${limit} bytes`, 'ETOOLARGE')
      }
      chunks.push(chunk)
    }
  } catch (error) {
    throw toRequestError(error, { signal })
  }
  return Buffer.concat(chunks).toString('utf8')
}
