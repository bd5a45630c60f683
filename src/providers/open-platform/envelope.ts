/**
 * The open platform's answer, read: HTTP status + body → tasks, or one of the typed errors.
 * Pure (DESIGN.md §2).
 */
import { URL_KEYS, type AssetUrls } from '../../domain/formats.js'
import { ActionError } from '../../errors.js'
import { Fault } from '../../net/retry.js'
import { redactText, serverText } from '../../report/redact.js'
import { isRecord, textField, urlField } from '../../domain/json.js'

export interface OpenPlatformTask {
  taskId: string
  status: number
  result: AssetUrls | null
}

/** The service answered with `c` other than "0": a business error such as a bad signature. */
export class OpenPlatformApiError extends ActionError {
  /** The batch endpoint's business errors are its refusals of the signature or the account. */
  readonly refusedCredentials = true
  constructor(
    readonly code: string,
    readonly apiMessage: string
  ) {
    super(
      `Aholo API error c=${JSON.stringify(serverText(code))}: ${serverText(apiMessage) || '(no message)'}`,
      "If this is a signature error (签名错误), check 'app-key', 'app-secret' and 'app-uid', and the runner's clock."
    )
  }
}

/** A response that is JSON but not the documented envelope, or an HTTP error no retry fixes. */
export class MalformedResponseError extends ActionError {
  constructor(message: string) {
    super(`Unexpected response from the Aholo API: ${message}`)
  }
}

export function interpretResponse(
  status: number,
  body: string,
  retryAfterMs?: number
): OpenPlatformTask[] {
  if (status === 429 || status === 408 || status >= 500) {
    throw new Fault(
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
      throw new Fault(
        `the response is not JSON (starts with ${JSON.stringify(redactText(body).slice(0, 40))})`,
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
    throw new OpenPlatformApiError(
      code,
      typeof envelope.m === 'string'
        ? (textField(envelope.m) ?? '')
        : (textField(JSON.stringify(envelope.m ?? null)) ?? '')
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

function parseTask(item: unknown, index: number): OpenPlatformTask {
  const where = `d[${index}]`
  if (!isRecord(item) || typeof item.taskId !== 'string' || !Number.isInteger(item.status)) {
    throw new MalformedResponseError(`${where} is not a task {taskId: string, status: integer}.`)
  }
  let result: AssetUrls | null = null
  if (isRecord(item.result)) {
    result = {}
    for (const key of Object.values(URL_KEYS)) {
      const value = item.result[key]
      const url = urlField(value)
      if (url) result[key] = url
      else if (value !== undefined && value !== null && value !== '') {
        throw new MalformedResponseError(`${where}.result.${key} is not a string.`)
      }
    }
  } else if (item.result !== undefined && item.result !== null) {
    throw new MalformedResponseError(`${where}.result is neither an object nor null.`)
  }
  return { taskId: item.taskId, status: item.status as number, result }
}
