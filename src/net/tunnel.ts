/**
 * HTTP CONNECT through the runner's proxy, for https and http targets alike (as the toolkit's
 * agents do), done here instead of by the `tunnel` package behind the toolkit's agents.
 *
 * Why: `tunnel` hands a socket to the request only once the proxy answers CONNECT, and Node
 * defers a request's abort until the request has a socket. Behind a proxy that accepts the
 * connection and never answers, an aborted request therefore never settled and its CONNECT
 * socket was never closed (issue 7). undici 6's ProxyAgent, tried instead, did not settle either:
 * it applies the abort only once the tunnel is up. Here the CONNECT is a request of its own,
 * ended by the same signal and by its own timer.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import type { Socket } from 'node:net'
import { timerDelay } from '../runtime.js'
import { NetworkError } from './network-error.js'

export interface TunnelOptions {
  /** Ends the CONNECT at any stage: DNS, TCP connect, waiting for the proxy's answer. */
  signal: AbortSignal
  /** Limit on the proxy's silence before it answers CONNECT. */
  idleTimeoutMs?: number
}

/** `port` as CONNECT and the Host header name it: the scheme's port when the URL has none. */
export function authorityOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`
}

/**
 * Opens a tunnel to `target` through `proxy` (the toolkit's `getProxyUrl`, whose `username` and
 * `password` are already decoded). Resolves with the raw socket, which the caller owns; rejects
 * with a NetworkError, or with the signal's reason once it aborts.
 */
export function openTunnel(proxy: URL, target: URL, options: TunnelOptions): Promise<Socket> {
  const authority = authorityOf(target)
  const headers: Record<string, string> = { host: authority }
  if (proxy.username || proxy.password) {
    const token = Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')
    headers['proxy-authorization'] = `Basic ${token}`
  }
  const transport = proxy.protocol === 'https:' ? https : http
  const { signal, idleTimeoutMs } = options
  return new Promise<Socket>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const connect = transport.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      signal
    })
    const fail = (error: Error): void => {
      clearTimeout(timer)
      connect.destroy()
      reject(signal.aborted ? signal.reason : error)
    }
    if (idleTimeoutMs !== undefined) {
      const limit = timerDelay(idleTimeoutMs)
      timer = setTimeout(
        () => fail(new NetworkError(`no answer from the proxy for ${limit} ms`, 'ETIMEDOUT')),
        limit
      )
    }
    connect.once('connect', (response: http.IncomingMessage, socket: Socket, head: Buffer) => {
      clearTimeout(timer)
      if (response.statusCode !== 200) {
        socket.destroy()
        const status = `HTTP ${response.statusCode ?? 0}`
        reject(new NetworkError(`the proxy answered CONNECT ${authority} with ${status}`, 'EPROXY'))
        return
      }
      // Bytes of the server's that came with the proxy's answer belong to the tunnel.
      if (head.length > 0) socket.unshift(head)
      resolve(socket)
    })
    connect.once('error', error => {
      const code = (error as NodeJS.ErrnoException).code
      fail(new NetworkError(`proxy ${proxy.host}: ${error.message}`, code ?? 'EPROXY'))
    })
    connect.end()
  })
}
