/**
 * The answers of the asset gateway and the upload service, read (DESIGN.md §2d): an HTTP status
 * and body become a value, a Fault worth another try, or an UploadError. Pure.
 */
import { isRecord } from '../domain/json.js'
import { ActionError } from '../errors.js'
import { Fault } from '../net/retry.js'
import { isLoopbackHost, redactUrl } from '../net/url-policy.js'
import { describeApiError, parseApiError } from '../providers/world/api-error.js'
import { serverText } from '../report/redact.js'

import type { RawAnswer } from '../net/exchange.js'

export type { RawAnswer }

/** What the gateway hands out for one file. */
export interface UploadToken {
  /** Sent as `ous-token-v2`, and only to `globalDomain`; never logged. */
  ousToken: string
  globalDomain: URL
  /** Files up to this size go in one request; larger ones in blocks of it. */
  blockSize: number
}

/** A refusal no retry fixes, from the gateway or the upload service. */
export class UploadError extends ActionError {}

/** The gateway refused the API key (401). */
export class UploadAuthError extends UploadError {}

/** The token answer, checked: a usable domain (https, or http on this machine) and block size. */
export function interpretToken(
  answer: RawAnswer,
  allowInsecureHosts: readonly string[] = []
): UploadToken {
  const json = readJson(answer, 'the asset gateway', 'token')
  if (!isRecord(json))
    throw new UploadError('The asset gateway answered the token request with no object')
  const { ousToken, globalDomain, blockSize } = json
  if (typeof ousToken !== 'string' || ousToken === '' || typeof globalDomain !== 'string') {
    throw new UploadError(
      'The asset gateway answered without ousToken and globalDomain',
      "Check 'api-url' (empty means the region's own gateway)."
    )
  }
  if (typeof blockSize !== 'number' || !Number.isSafeInteger(blockSize) || blockSize < 1) {
    throw new UploadError(
      `The asset gateway answered with an unusable blockSize: ${String(blockSize)}`
    )
  }
  return { ousToken, globalDomain: uploadDomain(globalDomain, allowInsecureHosts), blockSize }
}

/**
 * The domain uploads go to: https, or plain http on this machine only. The token would travel in
 * clear otherwise, and with it the right to put files in the account's name.
 */
export function uploadDomain(text: string, allowInsecureHosts: readonly string[] = []): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UploadError(
      `The asset gateway named an upload domain that is not a URL: ${serverText(text)}`
    )
  }
  const host = url.hostname.toLowerCase()
  const local = isLoopbackHost(host) || allowInsecureHosts.includes(host)
  if (url.protocol === 'https:' || (url.protocol === 'http:' && local)) return url
  throw new UploadError(
    `The asset gateway named ${redactUrl(url)} as the upload domain; uploads go only over https (plain http only to this machine)`
  )
}

/**
 * The `d` of an upload-service answer whose `c` is "0". Other codes are refusals (the token
 * expired, a checksum did not match): named with the service's words.
 */
export function interpretOus(answer: RawAnswer, what: string): unknown {
  const json = readJson(answer, 'the upload service', what)
  if (!isRecord(json) || !('c' in json)) {
    throw new UploadError(`The upload service answered ${what} without its {c, m, d} envelope`)
  }
  if (String(json.c) === '0') return json.d
  const message = typeof json.m === 'string' && json.m !== '' ? `: ${serverText(json.m)}` : ''
  throw new UploadError(
    `The upload service refused ${what} (code ${serverText(String(json.c))}${message})`
  )
}

/** The JSON of a 2xx answer; every other answer becomes the Fault or error it stands for. */
function readJson(answer: RawAnswer, who: string, what: string): unknown {
  const { status, retryAfterMs } = answer
  const text = answer.body.replace(/^\uFEFF/, '')
  let json: unknown
  let parsed = true
  try {
    json = JSON.parse(text)
  } catch {
    parsed = false
  }
  const said = serverText(describeApiError(status, parsed ? parseApiError(json) : undefined))
  if (status === 429 || status === 408 || status >= 500) {
    const wait = retryAfterMs !== undefined ? `, Retry-After ${retryAfterMs} ms` : ''
    throw new Fault(`${who} answered ${what} with ${said}${wait}`, `HTTP ${status}`, retryAfterMs)
  }
  if (status >= 200 && status < 300) {
    if (parsed) return json
    // Proxies and gateways answer with HTML pages under 200; these pass.
    throw new Fault(
      `${who} answered ${what} with something that is not JSON (starts with ${JSON.stringify(serverText(text.slice(0, 40)))})`,
      'not JSON'
    )
  }
  if (status === 401 && who === 'the asset gateway') {
    throw new UploadAuthError(
      `The asset gateway refused the API key: ${said}`,
      "Check the 'api-key' input, and that 'region' matches the site the key comes from."
    )
  }
  throw new UploadError(`${who} refused ${what}: ${said}`)
}
