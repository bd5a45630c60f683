/**
 * sendRequest ends at its time limit or at its cancel at every stage of an exchange, and lets
 * its connection go (issue 7): against servers on 127.0.0.1 that accept the connection and then
 * never answer, as a proxy, as an HTTP server and as a TLS server.
 *
 * The toolkit reads the proxy variables from process.env at each request: each test starts with
 * none set, and they are put back afterwards.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Duplex, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CancelledError } from '../src/errors.js'
import { NetworkError, sendRequest } from '../src/net/http.js'
import {
  settleWithin,
  type StallServer,
  startStallServer,
  watchNetResources
} from './support/stall-servers.js'
import { PROXY_VARIABLES } from './support/tinyproxy.js'

const saved = new Map<string, string | undefined>()
beforeEach(() => {
  for (const name of PROXY_VARIABLES) {
    saved.set(name, process.env[name])
    delete process.env[name]
  }
})
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

interface Stage {
  name: string
  /** Set HTTPS_PROXY to the stalling server. */
  proxy: boolean
  url(server: StallServer): URL
  /** The client's first bytes, which show that it stopped at this stage. */
  reached(bytes: Buffer): boolean
}

const STAGES: Stage[] = [
  {
    name: 'a proxy that never answers CONNECT',
    proxy: true,
    // Never resolved by the client: through a proxy, the proxy resolves the name.
    url: () => new URL('https://stalled.invalid/x'),
    reached: bytes => bytes.toString('latin1').startsWith('CONNECT stalled.invalid:443 HTTP/1.1')
  },
  {
    name: 'a server that never answers HTTP',
    proxy: false,
    url: server => new URL(`http://127.0.0.1:${server.port}/x`),
    reached: bytes => bytes.toString('latin1').startsWith('GET /x HTTP/1.1')
  },
  {
    name: 'a TLS server that never completes the handshake',
    proxy: false,
    url: server => new URL(`https://127.0.0.1:${server.port}/x`),
    // A TLS handshake record: the ClientHello.
    reached: bytes => bytes[0] === 0x16
  }
]

describe.each(STAGES)('$name', stage => {
  let server: StallServer

  beforeEach(async () => {
    server = await startStallServer()
    if (stage.proxy) process.env.HTTPS_PROXY = `http://127.0.0.1:${server.port}`
  })
  afterEach(() => server.close())

  test('ends at timeoutMs with a NetworkError ETIMEDOUT, and closes its connection', async () => {
    const started = performance.now()
    const request = sendRequest({ method: 'GET', url: stage.url(server), timeoutMs: 500 })

    const outcome = await settleWithin(request, started, 5000)

    expect(outcome.kind).toBe('rejected')
    const error = (outcome as { error: NetworkError }).error
    expect(error).toBeInstanceOf(NetworkError)
    expect(error.code).toBe('ETIMEDOUT')
    expect(outcome.ms).toBeGreaterThanOrEqual(450)
    expect(outcome.ms).toBeLessThan(1500)
    expect(stage.reached(server.received())).toBe(true)
    expect(await server.allClosed(1000)).toBe(true)
  })

  test('ends at the cancel with its reason, and leaves no socket or timer behind', async () => {
    const watch = watchNetResources()
    const controller = new AbortController()
    const reason = new CancelledError('cancelled by the test')
    setTimeout(() => controller.abort(reason), 300)
    const started = performance.now()
    // The time limit is far off: its timer must go with the request.
    const request = sendRequest({
      method: 'GET',
      url: stage.url(server),
      signal: controller.signal,
      timeoutMs: 60_000
    })

    const outcome = await settleWithin(request, started, 5000)

    expect(outcome).toMatchObject({ kind: 'rejected', error: reason })
    expect(outcome.ms).toBeGreaterThanOrEqual(280)
    expect(outcome.ms).toBeLessThan(1000)
    expect(stage.reached(server.received())).toBe(true)
    expect(await server.allClosed(1000)).toBe(true)
    expect(await watch.live()).toEqual([])
    watch.stop()
  })

  test('ends at once when the signal is already aborted', async () => {
    const reason = new CancelledError('cancelled before the start')

    const outcome = await settleWithin(
      sendRequest({ method: 'GET', url: stage.url(server), signal: AbortSignal.abort(reason) }),
      performance.now(),
      5000
    )

    expect(outcome).toMatchObject({ kind: 'rejected', error: reason })
    expect(await server.allClosed(1000)).toBe(true)
  })
})

describe('a proxy', () => {
  let server: StallServer
  afterEach(() => server?.close())

  test('silent for idleTimeoutMs fails a download with NetworkError ETIMEDOUT', async () => {
    server = await startStallServer()
    process.env.HTTPS_PROXY = `http://127.0.0.1:${server.port}`
    const started = performance.now()
    // A download has no total limit, only the idle one.
    const request = sendRequest({
      method: 'GET',
      url: new URL('https://stalled.invalid/big.bin'),
      headers: { 'Accept-Encoding': 'identity' },
      idleTimeoutMs: 400
    })

    const outcome = await settleWithin(request, started, 5000)

    expect(outcome).toMatchObject({
      kind: 'rejected',
      error: expect.objectContaining({ name: 'NetworkError', code: 'ETIMEDOUT' })
    })
    expect(outcome.ms).toBeGreaterThanOrEqual(350)
    expect(outcome.ms).toBeLessThan(1500)
    expect(await server.allClosed(1000)).toBe(true)
  })

  test('whose tunnel opens onto a TLS handshake that never ends: the cancel still ends it', async () => {
    const tunnels = new Set<Duplex>()
    const received: Buffer[] = []
    const opening = http.createServer()
    opening.on('connect', (_request, socket) => {
      tunnels.add(socket)
      // An http.Server socket is half-open: the client's FIN is its 'end', not a 'close'.
      socket.on('end', () => socket.destroy())
      socket.on('close', () => tunnels.delete(socket))
      socket.on('data', (chunk: Buffer) => received.push(chunk))
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n')
    })
    await new Promise<void>(resolve => opening.listen(0, '127.0.0.1', resolve))
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(opening.address() as AddressInfo).port}`
    try {
      const controller = new AbortController()
      const reason = new CancelledError('cancelled in the handshake')
      setTimeout(() => controller.abort(reason), 300)
      const started = performance.now()
      const request = sendRequest({
        method: 'GET',
        url: new URL('https://tunnelled.invalid/x'),
        signal: controller.signal
      })

      const outcome = await settleWithin(request, started, 5000)

      expect(outcome).toMatchObject({ kind: 'rejected', error: reason })
      expect(outcome.ms).toBeLessThan(1000)
      // The ClientHello went through the tunnel, and the tunnel was closed.
      expect(Buffer.concat(received)[0]).toBe(0x16)
      const until = performance.now() + 1000
      while (tunnels.size > 0 && performance.now() < until) {
        await new Promise(resolve => setTimeout(resolve, 10))
      }
      expect(tunnels.size).toBe(0)
    } finally {
      await new Promise(resolve => opening.close(resolve))
    }
  })

  test('that refuses CONNECT fails at once with EPROXY, naming its status', async () => {
    const refusing = http.createServer()
    refusing.on('connect', (_request, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
    })
    await new Promise<void>(resolve => refusing.listen(0, '127.0.0.1', resolve))
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`
    try {
      const request = sendRequest({
        method: 'GET',
        url: new URL('https://refused.invalid/x'),
        timeoutMs: 5000
      })

      await expect(request).rejects.toMatchObject({
        name: 'NetworkError',
        code: 'EPROXY',
        message: expect.stringContaining('CONNECT refused.invalid:443 with HTTP 403')
      })
    } finally {
      await new Promise(resolve => refusing.close(resolve))
    }
  })
})

describe('a body', () => {
  let server: http.Server
  let base: string
  const closed: Promise<void>[] = []

  beforeAll(async () => {
    // Headers and the first bytes at once, then silence.
    server = http.createServer((_request, response) => {
      closed.push(new Promise(resolve => response.on('close', resolve)))
      response.writeHead(200, { 'Content-Length': '1000000' })
      response.write(Buffer.alloc(1000, 1))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))

  const drain = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() })

  test('silent for idleTimeoutMs fails with NetworkError ETIMEDOUT', async () => {
    const response = await sendRequest({
      method: 'GET',
      url: new URL(`${base}/idle`),
      idleTimeoutMs: 300
    })
    const started = performance.now()

    const outcome = await settleWithin(pipeline(response.body, drain()), started, 5000)

    expect(response.status).toBe(200)
    expect(outcome).toMatchObject({
      kind: 'rejected',
      error: expect.objectContaining({ name: 'NetworkError', code: 'ETIMEDOUT' })
    })
    expect(outcome.ms).toBeLessThan(1500)
    await closed.at(-1)
  })

  test('cut short by timeoutMs or by the cancel fails with that reason', async () => {
    const timed = await sendRequest({ method: 'GET', url: new URL(`${base}/t`), timeoutMs: 300 })
    const controller = new AbortController()
    const cancelled = await sendRequest({
      method: 'GET',
      url: new URL(`${base}/c`),
      signal: controller.signal
    })
    const reason = new CancelledError('cancelled during the body')
    setTimeout(() => controller.abort(reason), 200)

    const [byTime, byCancel] = await Promise.all([
      settleWithin(pipeline(timed.body, drain()), performance.now(), 5000),
      settleWithin(pipeline(cancelled.body, drain()), performance.now(), 5000)
    ])

    expect(byTime).toMatchObject({
      kind: 'rejected',
      error: expect.objectContaining({ name: 'NetworkError', code: 'ETIMEDOUT' })
    })
    expect(byCancel).toMatchObject({ kind: 'rejected', error: reason })
    expect(byCancel.ms).toBeLessThan(1000)
    await Promise.all(closed.slice(-2))
  })
})
