/**
 * readText takes a good answer however the server packs it (issue 9, item 5): a UTF-8 BOM, a
 * Content-Encoding asked for or not; and refuses, by name, what it cannot read, with the
 * decoded size capped. Against a real server on 127.0.0.1 that sends prepared bodies as they are.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as zlib from 'node:zlib'
import { readText, sendRequest } from '../src/net/http.js'

const JSON_TEXT = JSON.stringify({ c: '0', m: 'ok', d: [{ taskId: 'Ü-1', status: 3 }] })
const JSON_BYTES = Buffer.from(JSON_TEXT)

interface Body {
  bytes: Buffer
  encoding?: string
}

const BODIES: Record<string, Body> = {
  '/plain': { bytes: JSON_BYTES },
  '/bom': { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), JSON_BYTES]) },
  '/gzip': { bytes: zlib.gzipSync(JSON_BYTES), encoding: 'gzip' },
  '/x-gzip': { bytes: zlib.gzipSync(JSON_BYTES), encoding: 'x-gzip' },
  '/deflate': { bytes: zlib.deflateSync(JSON_BYTES), encoding: 'deflate' },
  '/deflate-raw': { bytes: zlib.deflateRawSync(JSON_BYTES), encoding: 'deflate' },
  '/br': { bytes: zlib.brotliCompressSync(JSON_BYTES), encoding: 'br' },
  '/gzip-bom': {
    bytes: zlib.gzipSync(Buffer.concat([Buffer.from('\uFEFF'), JSON_BYTES])),
    encoding: 'GZIP'
  },
  // Applied in order: gzip first, then br; decoded last first.
  '/gzip-then-br': {
    bytes: zlib.brotliCompressSync(zlib.gzipSync(JSON_BYTES)),
    encoding: 'gzip, br'
  },
  '/identity': { bytes: JSON_BYTES, encoding: 'identity' },
  // 64 MiB of zeros in about 64 KiB: a zip bomb for a 1 MiB cap.
  '/bomb': { bytes: zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)), encoding: 'gzip' },
  '/zstd': { bytes: JSON_BYTES, encoding: 'zstd' },
  '/corrupt': { bytes: Buffer.from('not gzip at all'), encoding: 'gzip' },
  '/large': { bytes: Buffer.alloc(2 * 1024 * 1024, 0x20) }
}

const LIMIT = 1024 * 1024
let server: http.Server
let base: string
const acceptEncodings: (string | undefined)[] = []

beforeAll(async () => {
  server = http.createServer((request, response) => {
    acceptEncodings.push(request.headers['accept-encoding'])
    const body = BODIES[request.url ?? '']
    if (!body) {
      response.writeHead(404).end()
      return
    }
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' }
    if (body.encoding) headers['Content-Encoding'] = body.encoding
    response.writeHead(200, headers).end(body.bytes)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise(resolve => server.close(resolve)))

async function fetchText(path: string, headers?: Record<string, string>): Promise<string> {
  const response = await sendRequest({
    method: 'GET',
    url: new URL(`${base}${path}`),
    headers,
    timeoutMs: 10_000
  })
  return readText(response, LIMIT)
}

test('reads JSON after a UTF-8 BOM', async () => {
  const text = await fetchText('/bom')

  expect(text).toBe(JSON_TEXT)
  expect(JSON.parse(text)).toEqual(JSON.parse(JSON_TEXT))
})

test.each(['/plain', '/identity', '/gzip', '/x-gzip', '/deflate', '/deflate-raw', '/br'])(
  'decodes %s, having asked for gzip, deflate and br by default',
  async path => {
    expect(await fetchText(path)).toBe(JSON_TEXT)
    expect(acceptEncodings.at(-1)).toBe('gzip, deflate, br')
  }
)

test.each(['/gzip', '/deflate', '/deflate-raw', '/br'])(
  'decodes %s sent although the request asked for identity',
  async path => {
    expect(await fetchText(path, { 'accept-encoding': 'identity' })).toBe(JSON_TEXT)
    expect(acceptEncodings.at(-1)).toBe('identity')
  }
)

test('undoes codings in the reverse of their order, and a BOM inside one', async () => {
  expect(await fetchText('/gzip-then-br')).toBe(JSON_TEXT)
  expect(await fetchText('/gzip-bom')).toBe(JSON_TEXT)
})

test('leaves the body as sent for a caller that asks for identity (downloads)', async () => {
  const response = await sendRequest({
    method: 'GET',
    url: new URL(`${base}/plain`),
    headers: { 'Accept-Encoding': 'identity' }
  })
  const chunks: Buffer[] = []
  for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk)

  expect(Buffer.concat(chunks)).toEqual(JSON_BYTES)
  expect(acceptEncodings.at(-1)).toBe('identity')
})

test('refuses a body that decodes past the cap, without holding it', async () => {
  const rssBefore = process.memoryUsage().rss

  await expect(fetchText('/bomb')).rejects.toMatchObject({
    name: 'NetworkError',
    code: 'ETOOLARGE',
    message: `the gzip response decodes to more than ${LIMIT} bytes`
  })
  // 64 MiB decoded would show; a cap at 1 MiB does not.
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024)
})

test('refuses a body larger than the limit as sent', async () => {
  await expect(fetchText('/large')).rejects.toMatchObject({
    name: 'NetworkError',
    code: 'ETOOLARGE',
    message: `response larger than ${LIMIT} bytes`
  })
})

test('refuses an unknown Content-Encoding, naming it', async () => {
  await expect(fetchText('/zstd')).rejects.toMatchObject({
    name: 'NetworkError',
    code: 'EENCODING',
    message: 'the response is in an unsupported Content-Encoding: zstd'
  })
})

test('refuses a body that does not decode as its Content-Encoding says', async () => {
  await expect(fetchText('/corrupt')).rejects.toMatchObject({
    name: 'NetworkError',
    code: 'EDECODE',
    message: expect.stringMatching(/^the gzip response does not decode: /)
  })
})
