/**
 * Request and answer bodies as both simulated services read and send them: JSON answers
 * (plain, after a BOM, or gzip unasked) and whole request bodies.
 */
import type * as http from 'node:http'
import { gzipSync } from 'node:zlib'

/** How a JSON answer is wrapped: plain, after a UTF-8 BOM, or gzip unasked. */
export type AnswerStyle = 'plain' | 'bom' | 'gzip'

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  style: AnswerStyle = 'plain'
): void {
  const text = JSON.stringify(body)
  const bytes =
    style === 'gzip'
      ? gzipSync(text)
      : Buffer.from(style === 'bom' ? `\uFEFF${text}` : text, 'utf8')
  res
    .writeHead(status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': bytes.length,
      ...(style === 'gzip' ? { 'Content-Encoding': 'gzip' } : {})
    })
    .end(bytes)
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
