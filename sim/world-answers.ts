/**
 * How the simulated World gateway answers when it does not answer with a world: ApiError
 * bodies as the OpenAPI spec describes them, and the faults a real network adds.
 */
import type * as http from 'node:http'
import { sendJson } from './http-body.js'

export type WorldFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'rate-limit'; retryAfter?: string }
  | { kind: 'reset' }
  /** HTML under HTTP 200, as a captive portal or a misconfigured proxy sends. */
  | { kind: 'not-json' }
  | { kind: 'slow'; ms: number }
  /** The headers at once, the body (a 503) only after `ms`. */
  | { kind: 'slow-body'; ms: number }

const CODES: Record<number, { status: string; reason: string; localized: string }> = {
  400: { status: 'INVALID_ARGUMENT', reason: 'INVALID_ARGUMENT', localized: '请求参数错误' },
  401: { status: 'UNAUTHENTICATED', reason: 'INVALID_API_KEY', localized: 'API Key 无效或已过期' },
  403: { status: 'PERMISSION_DENIED', reason: 'PERMISSION_DENIED', localized: '无访问权限' },
  404: { status: 'NOT_FOUND', reason: 'WORLD_NOT_FOUND', localized: '世界不存在' },
  429: { status: 'RESOURCE_EXHAUSTED', reason: 'RATE_LIMITED', localized: '请求过于频繁' }
}

/** An ApiError body: {code, message, status, details{reason, domain, metaData}, localizedMessage, help}. */
export function apiError(code: number, message: string, bizCode?: string): Record<string, unknown> {
  const known = CODES[code] ?? { status: 'UNKNOWN', reason: 'UNKNOWN', localized: '未知错误' }
  return {
    code,
    message,
    status: known.status,
    details: {
      reason: known.reason,
      domain: 'api.aholo3d.cn',
      metaData: bizCode === undefined ? {} : { bizCode }
    },
    localizedMessage: { locale: 'zh_CN', message: known.localized },
    help: { desc: '错误码说明', url: 'https://labs.aholo3d.cn/api-docs/sdk' }
  }
}

export function answerWorldFault(
  res: http.ServerResponse,
  fault: WorldFault,
  req: http.IncomingMessage
): void {
  switch (fault.kind) {
    case 'status':
      res
        .writeHead(fault.status, { 'Content-Type': 'text/html' })
        .end(fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`)
      return
    case 'rate-limit': {
      const text = JSON.stringify(apiError(429, 'Too many requests'))
      res
        .writeHead(429, {
          'Content-Type': 'application/json',
          ...(fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {})
        })
        .end(text)
      return
    }
    case 'reset':
      req.socket.resetAndDestroy()
      return
    case 'not-json':
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!doctype html><html><body>Gateway says hello</body></html>')
      return
    case 'slow-body': {
      const text = JSON.stringify(apiError(503, 'slow'))
      res.writeHead(503, { 'Content-Type': 'application/json' }).write(text.slice(0, 1))
      const timer = setTimeout(() => res.end(text.slice(1)), fault.ms)
      res.on('close', () => clearTimeout(timer))
      return
    }
    case 'slow': {
      const timer = setTimeout(() => sendJson(res, 503, apiError(503, 'slow')), fault.ms)
      res.on('close', () => clearTimeout(timer))
      return
    }
  }
}
