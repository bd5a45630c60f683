/**
 * A real HTTP proxy for the tests: Debian's tinyproxy on 127.0.0.1, with its own config and log
 * in a temporary folder. CONNECT is allowed to any port (no ConnectPort lines), so the toolkit's
 * tunnelling agents can reach a local server through it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { lookup } from 'node:dns/promises'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import { hostname, tmpdir } from 'node:os'
import * as path from 'node:path'
import { isLoopbackHost } from '../../src/net/url-policy.js'

export const TINYPROXY = '/usr/bin/tinyproxy'

export function tinyproxyInstalled(): boolean {
  return existsSync(TINYPROXY)
}

/** The variables the toolkit reads to choose a proxy, both spellings. */
export const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy'
]

/**
 * This machine's host name, for reaching a server on 127.0.0.1 through the proxy: the toolkit
 * would skip the proxy for a loopback name, and the local servers listen on 127.0.0.1 only.
 */
export async function proxiedHostName(): Promise<string> {
  const host = hostname().toLowerCase()
  if (isLoopbackHost(host)) {
    throw new Error(
      `This machine's host name ${JSON.stringify(host)} is a loopback name, which the toolkit never proxies.`
    )
  }
  const addresses = await lookup(host, { all: true }).catch(() => [])
  if (addresses.length === 0 || !addresses.every(({ address }) => address.startsWith('127.'))) {
    throw new Error(
      `This machine's host name ${JSON.stringify(host)} must resolve to 127.x only (e.g. an /etc/hosts line "127.0.1.1 ${host}"); it resolves to ${JSON.stringify(addresses.map(({ address }) => address))}.`
    )
  }
  return host
}

export interface Tinyproxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY / HTTPS_PROXY. */
  url: string
  /** The whole log so far. */
  log(): string
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 5000

export async function startTinyproxy(): Promise<Tinyproxy> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-tinyproxy-'))
  const logFile = path.join(folder, 'tinyproxy.log')
  // The free port may be taken between our probe and tinyproxy's bind: try a few.
  for (let tries = 1; ; tries++) {
    const port = await freePort()
    const config = path.join(folder, 'tinyproxy.conf')
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'Listen 127.0.0.1',
        'Timeout 60',
        'Allow 127.0.0.1',
        'MaxClients 50',
        `LogFile "${logFile}"`,
        'LogLevel Info',
        `PidFile "${path.join(folder, 'tinyproxy.pid')}"`,
        ''
      ].join('\n')
    )
    const child = spawn(TINYPROXY, ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      await waitUntilListening(child, port)
    } catch (error) {
      await stop(child)
      if (tries < 3) continue
      rmSync(folder, { recursive: true, force: true })
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
      throw new Error(`tinyproxy did not start: ${(error as Error).message}\n${output}\n${log}`)
    }
    return {
      url: `http://127.0.0.1:${port}`,
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
      stop: async () => {
        await stop(child)
        rmSync(folder, { recursive: true, force: true })
      }
    }
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

async function waitUntilListening(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited (${child.exitCode ?? child.signalCode})`)
    }
    const connected = await new Promise<boolean>(resolve => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (connected) return
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error(`nothing listens on port ${port} after ${START_TIMEOUT_MS} ms`)
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}
