/**
 * Servers on 127.0.0.1 that accept a TCP connection and then never answer: as a proxy that
 * withholds its answer to CONNECT, as an HTTP server that withholds its headers, or as a TLS
 * server that never completes the handshake. They only read, so that each stage is where the
 * client stops; they record what arrived and when each connection closed.
 */
import { createHook } from 'node:async_hooks'
import * as net from 'node:net'

export interface StallServer {
  port: number
  /** Everything the clients sent, in order of arrival. */
  received(): Buffer
  /** Connections accepted so far. */
  accepted(): number
  /** Connections the client has not closed yet. */
  open(): number
  /** True once every accepted connection is closed, false if some is still open after `ms`. */
  allClosed(ms: number): Promise<boolean>
  close(): Promise<void>
}

export async function startStallServer(): Promise<StallServer> {
  const sockets = new Set<net.Socket>()
  const chunks: Buffer[] = []
  let accepted = 0
  const server = net.createServer(socket => {
    accepted++
    sockets.add(socket)
    // Reading, not answering: a paused socket would never see the client's FIN.
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
    received: () => Buffer.concat(chunks),
    accepted: () => accepted,
    open: () => sockets.size,
    allClosed: async ms => {
      const until = performance.now() + ms
      while (sockets.size > 0 && performance.now() < until) {
        await new Promise(resolve => setTimeout(resolve, 10))
      }
      return sockets.size === 0
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

export type Settled =
  | { kind: 'resolved'; ms: number; value: unknown }
  | { kind: 'rejected'; ms: number; error: unknown }
  | { kind: 'pending'; ms: number }

/**
 * How `promise` settled and after how long from `started`, or `pending` after `capMs`: a test of
 * a hang fails on its assertion, not on jest's timeout.
 */
export async function settleWithin(
  promise: Promise<unknown>,
  started: number,
  capMs: number
): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined
  const cap = new Promise<Settled>(resolve => {
    timer = setTimeout(() => resolve({ kind: 'pending', ms: capMs }), capMs)
  })
  try {
    return await Promise.race([
      promise.then(
        value => ({ kind: 'resolved', ms: performance.now() - started, value }) as const,
        (error: unknown) => ({ kind: 'rejected', ms: performance.now() - started, error }) as const
      ),
      cap
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Timers and TCP sockets that src/net/ creates from now on, for a test to show that none
 * outlives the request: `live()` lists those not yet closed, by type. (Not TLS sessions: those
 * are reported destroyed only when collected; the TCP socket under one is what holds the process.)
 */
export function watchNetResources(): { live(): Promise<string[]>; stop(): void } {
  const created = new Map<number, string>()
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout' && type !== 'TCPWRAP') return
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 50
      const stack = new Error().stack ?? ''
      Error.stackTraceLimit = limit
      if (/[/\\]src[/\\]net[/\\]/.test(stack)) created.set(id, type)
    },
    destroy(id) {
      created.delete(id)
    }
  }).enable()
  return {
    // A closed handle is reported destroyed a moment after its close: wait a little for it.
    live: async () => {
      const until = performance.now() + 1000
      while (created.size > 0 && performance.now() < until) {
        await new Promise(resolve => setTimeout(resolve, 10))
      }
      return [...created.values()].sort()
    },
    stop: () => hook.disable()
  }
}
