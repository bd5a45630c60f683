/**
 * The gateway's `ApiError` body, read and said in one line a user can act on: status, message,
 * reason, bizCode, the localized message and the help link. Pure.
 */
import { isRecord } from '../../domain/json.js'

export type WorldRegion = 'cn' | 'global'

export interface ApiErrorInfo {
  code?: number
  message?: string
  /** Google API codes: UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, RESOURCE_EXHAUSTED, … */
  status?: string
  reason?: string
  /** `details.message`: the context of this one error. */
  detail?: string
  bizCode?: string
  localized?: { locale?: string; message: string }
  helpUrl?: string
}

/** A field read from the service is shown whole up to this many characters. */
const MAX_FIELD = 300

/** The ApiError in a parsed body, or undefined when the body is not one. */
export function parseApiError(body: unknown): ApiErrorInfo | undefined {
  if (!isRecord(body) || (!('status' in body) && !('message' in body) && !('details' in body))) {
    return undefined
  }
  const details = isRecord(body.details) ? body.details : undefined
  const metaData = details && isRecord(details.metaData) ? details.metaData : undefined
  const localized = isRecord(body.localizedMessage) ? body.localizedMessage : undefined
  const help = isRecord(body.help) ? body.help : undefined
  const info: ApiErrorInfo = {}
  if (typeof body.code === 'number') info.code = body.code
  assign(info, 'message', body.message)
  assign(info, 'status', body.status)
  assign(info, 'reason', details?.reason)
  assign(info, 'detail', details?.message)
  const bizCode = metaData?.bizCode
  if (typeof bizCode === 'string' || typeof bizCode === 'number')
    info.bizCode = clip(String(bizCode))
  const localizedText = field(localized?.message)
  if (localizedText !== undefined) {
    info.localized = { message: localizedText }
    const locale = field(localized?.locale)
    if (locale !== undefined) info.localized.locale = locale
  }
  assign(info, 'helpUrl', help?.url)
  return info
}

/**
 * `HTTP 401 UNAUTHENTICATED: Invalid API key (reason INVALID_API_KEY, bizCode 10004; zh_CN:
 * API Key 无效; help https://…)`; just `HTTP 502` when the body said nothing.
 */
export function describeApiError(httpStatus: number, info: ApiErrorInfo | undefined): string {
  let line = `HTTP ${httpStatus}`
  if (!info) return line
  if (info.status) line += ` ${info.status}`
  if (info.message) line += `: ${info.message}`
  const extra: string[] = []
  if (info.detail && info.detail !== info.message) extra.push(info.detail)
  if (info.reason) extra.push(`reason ${info.reason}`)
  if (info.bizCode) extra.push(`bizCode ${info.bizCode}`)
  const parts = extra.length > 0 ? [extra.join(', ')] : []
  if (info.localized && info.localized.message !== info.message) {
    const { locale, message } = info.localized
    parts.push(locale ? `${locale}: ${message}` : message)
  }
  if (info.helpUrl) parts.push(`help ${info.helpUrl}`)
  return parts.length > 0 ? `${line} (${parts.join('; ')})` : line
}

function assign(
  info: ApiErrorInfo,
  key: 'message' | 'status' | 'reason' | 'detail' | 'helpUrl',
  value: unknown
): void {
  const text = field(value)
  if (text !== undefined) info[key] = text
}

function field(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? clip(value.trim()) : undefined
}

export function clip(text: string): string {
  // Control characters would break the one-line log; an endless message would flood it.
  const flat = [...text].map(char => (isControl(char) ? ' ' : char)).join('')
  return flat.length > MAX_FIELD ? `${flat.slice(0, MAX_FIELD)}… (${flat.length} characters)` : flat
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0)
  return code < 0x20 || code === 0x7f
}
