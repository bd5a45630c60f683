/**
 * One GET of an asset, redirects followed here (relative ones too, which the toolkit's client
 * cannot), every hop checked by src/net/url-policy.ts. Resolves with a 200 response, or a 206 to a
 * range request, whose body is unread; a failure is a `Fault` when another try may help, else a
 * `RefusedError`.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { type HttpResponse, NetworkError, sendRequest } from '../net/http.js'
import { Fault, parseRetryAfter } from '../net/retry.js'
import { redactUrl, redirectTarget } from '../net/url-policy.js'

/** No retry could help: a 404, a refused redirect, too many redirects. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError'

  constructor(
    message: string,
    /**
     * The signed link has expired (a 403 or 400 whose answer says the request or signature
     * expired): the service can give a fresh one.
     */
    readonly expired = false
  ) {
    super(message)
  }
}

/** `Request has expired`, `Signature expired`, `SignatureExpired`, `token expired`, … */
const EXPIRED = /expire/i

export interface GetOptions {
  /** Aborts the exchange (cancellation, or the download's time limit). */
  signal?: AbortSignal
  /** Abandons a socket that stays silent this long. */
  idleTimeoutMs: number
  /** Limit for each exchange, headers and body, as far as the download's time limit allows. */
  timeoutMs?: number
  allowInsecureHosts?: readonly string[]
  /** Private and metadata addresses allowed (`api-url` is on such a host). */
  allowPrivateHosts?: boolean
  /** `Range` and `If-Range`, sent again to every redirect target. */
  headers?: Record<string, string>
  /** Unix milliseconds, to read `Retry-After` dates. */
  wallClock(): number
  /** Each redirect followed, for the debug log. */
  onRedirect?(status: number, next: URL): void
}

export const MAX_REDIRECTS = 10
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const EXCERPT_CHARS = 160

export async function getAsset(start: URL, options: GetOptions): Promise<HttpResponse> {
  let url = start
  for (let hops = 0; ; hops++) {
    let response: HttpResponse
    try {
      response = await sendRequest({
        method: 'GET',
        url,
        // The size check needs the bytes as stored, not a transfer encoding of them.
        headers: { ...options.headers, 'Accept-Encoding': 'identity' },
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        idleTimeoutMs: options.idleTimeoutMs
      })
    } catch (error) {
      if (error instanceof NetworkError) {
        throw new Fault(`network error: ${error.message}`, error.kind, undefined, { cause: error })
      }
      throw error
    }
    const { status, headers, body } = response
    if (status === 200 || (status === 206 && options.headers?.Range !== undefined)) return response
    // A range the server cannot serve: the caller starts the file over.
    if (status === 416 && options.headers?.Range !== undefined) return response

    if (REDIRECT_STATUSES.has(status)) {
      body.resume()
      if (hops >= MAX_REDIRECTS) throw new RefusedError(`more than ${MAX_REDIRECTS} redirects`)
      const target = redirectTarget(
        url,
        headers.location,
        options.allowInsecureHosts,
        options.allowPrivateHosts
      )
      if ('refusal' in target) throw new RefusedError(`HTTP ${status}: ${target.refusal}`)
      options.onRedirect?.(status, target.next)
      url = target.next
      continue
    }

    if (status === 408 || status === 429 || status >= 500) {
      body.destroy()
      const retryAfter = parseRetryAfter(headers['retry-after'], options.wallClock())
      throw new Fault(`HTTP ${status}`, `http ${status}`, retryAfter)
    }
    const excerpt = await readExcerpt(body)
    const detail = excerpt && !excerpt.startsWith(String(status)) ? ` (${excerpt})` : ''
    const expired = (status === 403 || status === 400) && EXPIRED.test(excerpt)
    const hint = status === 401 || status === 403 ? '; the signed URL may have expired' : ''
    throw new RefusedError(`HTTP ${status}${detail}${hint}`, expired)
  }
}

/** The Content-Length, when the server gave a readable one. */
export function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const text = headers['content-length']
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

/** The URL as logs show it, for a redirect. */
export function shownRedirect(status: number, next: URL): string {
  return `HTTP ${status} to ${redactUrl(next)}`
}

/** The start of an error page, in one line: often the only clue (an expired signature, a firewall). */
async function readExcerpt(body: Readable): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      size += chunk.length
      if (size >= EXCERPT_CHARS * 4) break
    }
  } catch {
    // An excerpt is a courtesy; the status says enough.
  } finally {
    body.destroy()
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text
}
