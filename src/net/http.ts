import * as http from 'node:http'
import * as https from 'node:https'
import { isIP, type Socket } from 'node:net'
import type { Readable } from 'node:stream'
import * as tls from 'node:tls'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { cancellationOf } from '../errors.js'
import { boundedSignal, timerDelay } from '../runtime.js'
import { ACTION_VERSION } from '../version.js'
import { ACCEPT_ENCODING, decodeBody, utf8Text } from './decode.js'
import { NetworkError } from './network-error.js'
import { openTunnel } from './tunnel.js'

export { NetworkError } from './network-error.js'

/**
 * The one place that opens HTTP connections, on Node's own http and https.
 *
 * Whether to use a proxy is the toolkit's decision (`getProxyUrl`: HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY, loopback names never proxied), read at each request, so the action behaves as every
 * other action does. The toolkit's agents are not used: their `tunnel` package leaves an aborted
 * request unsettled while the proxy withholds its answer to CONNECT (see tunnel.ts). Nor is its
 * client, which can neither be aborted nor stream a body, nor follow a relative redirect.
 *
 * Every request settles at its deadline or its cancel, at every stage (DNS, TCP connect, proxy
 * CONNECT, TLS handshake, headers), and its socket is destroyed then: the promise does not wait
 * for Node to notice.
 */

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  /** `Accept-Encoding` defaults to gzip, deflate and br, which `readText` decodes. */
  headers?: Record<string, string>
  /**
   * A stream is piped as it is read (a file's bytes, never held whole) and destroyed with the
   * exchange; one stream serves one try, so a retry makes a new one. Its own errors (a file that
   * cannot be read) end the request as they are: they are not the network's.
   */
  body?: string | Readable
  /** Cancels the request (the run is being cancelled): it rejects with the signal's reason. */
  signal?: AbortSignal
  /** Limit for the whole exchange, headers and body: then NetworkError ETIMEDOUT. */
  timeoutMs?: number
  /**
   * Limit for a silent proxy or socket, for long downloads where a total limit makes no sense:
   * then the request, or the body, fails with NetworkError ETIMEDOUT.
   */
  idleTimeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** A Readable; errors with the cancel reason or a NetworkError if the exchange is cut short. */
  body: http.IncomingMessage
}

/** Names the action and its version in every request, to both APIs and to asset hosts. */
export const USER_AGENT = `aholo-task-action/${ACTION_VERSION}`

// Direct connections are kept alive between polls; Node unrefs idle sockets, so they never hold
// the process open.
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true })
}

export function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  const { url, idleTimeoutMs } = request
  const secure = url.protocol === 'https:'
  // One signal for the cancel and the time limit, whose reason is what the request rejects with.
  const limit = boundedSignal(
    request.signal,
    request.timeoutMs,
    () => new NetworkError(`no complete answer within ${request.timeoutMs} ms`, 'ETIMEDOUT')
  )
  const { signal } = limit

  return new Promise<HttpResponse>((resolve, reject) => {
    let req: http.ClientRequest | undefined
    let message: http.IncomingMessage | undefined
    let ended = false
    let answered = false
    // The one way out before the body's end: every resource this exchange holds is let go here.
    const end = (error: Error): void => {
      if (ended) return
      ended = true
      finish()
      if (typeof request.body === 'object') request.body.destroy()
      message?.destroy(error)
      req?.destroy(error)
      if (!answered) reject(error)
    }
    const finish = (): void => {
      signal.removeEventListener('abort', onAbort)
      limit.release()
    }
    const onAbort = (): void => end(signal.reason as Error)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })

    const issue = (connection?: Socket): void => {
      try {
        req = (secure ? https : http).request(url, {
          method: request.method,
          headers: withDefaults(request.headers),
          defaultPort: secure ? 443 : 80,
          ...(connection
            ? { createConnection: () => overTls(connection, url) }
            : { agent: AGENTS[secure ? 'https:' : 'http:'] })
        })
      } catch (error) {
        // A header Node refuses, say: the caller's mistake, not the network's.
        connection?.destroy()
        return end(error as Error)
      }
      if (idleTimeoutMs !== undefined) {
        req.setTimeout(timerDelay(idleTimeoutMs), () =>
          end(new NetworkError(`no data for ${idleTimeoutMs} ms`, 'ETIMEDOUT'))
        )
      }
      req.on('response', (response: http.IncomingMessage) => {
        message = response
        answered = true
        // Errors on the body after this point reach whoever reads it, as the same kinds of error.
        response.on('error', () => undefined)
        response.on('close', () => {
          ended = true
          finish()
          // An answer before the whole body was sent (a refusal) leaves the rest unread.
          if (typeof request.body === 'object') request.body.destroy()
        })
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response })
      })
      req.on('error', error => end(toRequestError(error, request)))
      const { body } = request
      if (typeof body !== 'object') return void req.end(body)
      body.on('error', end)
      body.pipe(req)
    }

    const proxy = getProxyUrl(url)
    if (!proxy) return issue()
    openTunnel(proxy, url, { signal, idleTimeoutMs }).then(
      socket => (ended ? socket.destroy() : issue(socket)),
      (error: unknown) => end(toRequestError(error, request))
    )
  })
}

/** Every request names the action (APIs and asset hosts alike) and takes a compressed answer. */
function withDefaults(headers: Record<string, string> = {}): Record<string, string> {
  const named = (name: string): boolean =>
    Object.keys(headers).some(key => key.toLowerCase() === name)
  return {
    ...(named('user-agent') ? {} : { 'User-Agent': USER_AGENT }),
    ...(named('accept-encoding') ? {} : { 'Accept-Encoding': ACCEPT_ENCODING }),
    ...headers
  }
}

/** TLS inside a proxy tunnel; plain http goes through it as it is. */
function overTls(socket: Socket, url: URL): Socket {
  if (url.protocol !== 'https:') return socket
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return tls.connect({
    socket,
    host,
    // SNI carries names only, never an address.
    servername: isIP(host) ? undefined : host,
    ALPNProtocols: ['http/1.1']
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

/**
 * Reads a small body whole, as text: decoded by its `Content-Encoding`, without a BOM. Refuses
 * more than `limit` bytes, as sent and as decoded, so a wrong endpoint cannot eat memory.
 */
export async function readText(
  response: HttpResponse,
  limit: number,
  signal?: AbortSignal
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  // The body fails with the cancel even when the request was sent under another signal.
  const onAbort = (): void => void response.body.destroy(cancellationOf(signal))
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
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
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
  const raw = Buffer.concat(chunks)
  return utf8Text(await decodeBody(raw, response.headers['content-encoding'], limit))
}
