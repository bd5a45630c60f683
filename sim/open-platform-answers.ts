/**
 * The simulated open platform's answers on the wire: its JSON envelope (plain, after a BOM, or
 * gzip unasked) and the faults it can be told to answer with.
 */
import type * as http from 'node:http'
import { sendJson } from './http-body.js'

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'rate-limit'; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'not-json' }
  | { kind: 'slow'; ms: number }
  | { kind: 'api-error'; c: string; m: string }
  /** A business error whose `m` echoes the request's query string (appkey, sign, …). */
  | { kind: 'echo-query' }
  /** A 200 body that is not JSON and starts with the request's query string. */
  | { kind: 'echo-query-text' }
  /** A business error with an `m` of this many bytes. */
  | { kind: 'huge-message'; bytes: number }

export function answerFault(
  res: http.ServerResponse,
  fault: Fault,
  req: http.IncomingMessage
): void {
  switch (fault.kind) {
    case 'status':
      res
        .writeHead(fault.status, { 'Content-Type': 'text/html' })
        .end(fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`)
      return
    case 'rate-limit':
      res
        .writeHead(429, {
          'Content-Type': 'text/plain',
          ...(fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {})
        })
        .end('Too Many Requests')
      return
    case 'reset':
      req.socket.resetAndDestroy()
      return
    case 'not-json':
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!doctype html><html><body>Gateway says hello</body></html>')
      return
    case 'slow': {
      const timer = setTimeout(
        () => sendJson(res, 200, { c: '0', d: [], m: null, f: '' }),
        fault.ms
      )
      res.on('close', () => clearTimeout(timer))
      return
    }
    case 'api-error':
      sendJson(res, 200, { c: fault.c, d: null, m: fault.m, f: '' })
      return
    case 'echo-query':
      sendJson(res, 200, { c: '400', d: null, m: `bad request: ${req.url}`, f: '' })
      return
    case 'echo-query-text':
      res
        .writeHead(200, { 'Content-Type': 'text/plain' })
        .end(`${new URL(req.url ?? '/', 'http://sim').search.slice(1)} rejected`)
      return
    case 'huge-message':
      sendJson(res, 200, { c: '500', d: null, m: 'x'.repeat(fault.bytes), f: '' })
      return
  }
}
