/**
 * Downloads and API calls through a real HTTP proxy (tinyproxy), as on a runner with
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY set.
 *
 * The toolkit never proxies `localhost` or `127.*`, so the local servers are addressed by this
 * machine's host name, which must resolve to a loopback address.
 */
import { createHash } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import * as path from 'node:path'
import { AholoClient } from '../src/providers/open-platform/client.js'
import { type DownloadDeps, downloadFile } from '../src/assets/download.js'
import { isLoopbackHost } from '../src/net/url-policy.js'
import { AholoSim, DEFAULT_CREDENTIALS } from '../sim/open-platform.js'
import {
  startTinyproxy,
  TINYPROXY,
  type Tinyproxy,
  tinyproxyInstalled
} from './support/tinyproxy.js'

const PLY = path.resolve('__fixtures__/splats/ply/st_1k_sh3.ply')
const PLY_SHA256 = createHash('sha256').update(readFileSync(PLY)).digest('hex')
const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy'
]

// On CI a missing proxy is a broken setup, not a reason to skip.
const run = tinyproxyInstalled() || process.env.CI === 'true'
const describeWithProxy = run ? describe : describe.skip
const title = run
  ? 'through a real HTTP proxy'
  : `through a real HTTP proxy (skipped: ${TINYPROXY} is not installed; CI=true makes this a failure)`

describeWithProxy(title, () => {
  const host = hostname().toLowerCase()
  let proxy: Tinyproxy
  let sim: AholoSim
  let base: string
  let folder: string
  let logBefore: number
  const saved = new Map<string, string | undefined>()

  beforeAll(async () => {
    if (!tinyproxyInstalled()) {
      throw new Error(
        `${TINYPROXY} is missing: install Debian's tinyproxy (apt-get install tinyproxy).`
      )
    }
    await checkHostName(host)
    proxy = await startTinyproxy()
    sim = await new AholoSim().start('127.0.0.1')
    base = sim.url.replace('127.0.0.1', host)
  })

  afterAll(async () => {
    await sim?.close()
    await proxy?.stop()
  })

  beforeEach(() => {
    for (const name of PROXY_VARIABLES) {
      saved.set(name, process.env[name])
      delete process.env[name]
    }
    process.env.HTTP_PROXY = proxy.url
    process.env.HTTPS_PROXY = proxy.url
    folder = mkdtempSync(path.join(tmpdir(), 'aholo-proxy-'))
    logBefore = proxy.log().length
  })

  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    rmSync(folder, { recursive: true, force: true })
  })

  /** What the proxy logged during this test. */
  const proxyLog = (): string => proxy.log().slice(logBefore)
  const tunnel = (): string => `CONNECT ${host}:${new URL(base).port}`

  const deps: DownloadDeps = {
    now: () => performance.now(),
    sleep: async () => undefined,
    random: () => 0.5,
    log: { info: () => undefined, debug: () => undefined, warning: () => undefined }
  }

  function download(assetPath: string): ReturnType<typeof downloadFile> {
    return downloadFile(
      {
        url: `${base}${assetPath}?Signature=SECRET`,
        destination: path.join(folder, 'scene.ply'),
        label: 'PROXY PLY'
      },
      // Plain http to a name that the proxy does not skip: allowed for this test only.
      { allowInsecureHosts: [host] },
      deps
    )
  }

  test('downloads an asset through the proxy', async () => {
    sim.addAsset('/proxied/scene.ply', { kind: 'file', path: PLY })

    const result = await download('/proxied/scene.ply')

    expect(result.sha256).toBe(PLY_SHA256)
    expect(sim.requests.filter(request => request.path === '/proxied/scene.ply')).toHaveLength(1)
    expect(proxyLog()).toContain(tunnel())
  })

  test('goes straight to a host named in NO_PROXY', async () => {
    process.env.NO_PROXY = `example.com,${host}`
    sim.addAsset('/direct/scene.ply', { kind: 'file', path: PLY })

    const result = await download('/direct/scene.ply')

    expect(result.sha256).toBe(PLY_SHA256)
    expect(sim.requests.filter(request => request.path === '/direct/scene.ply')).toHaveLength(1)
    expect(proxyLog()).not.toContain('CONNECT')
  })

  test('asks the Aholo API through the proxy', async () => {
    sim.addTask('PROXYTASK1', [3])
    const client = new AholoClient({
      apiUrl: new URL(base),
      credentials: DEFAULT_CREDENTIALS,
      now: () => performance.now(),
      wallClock: Date.now,
      sleep: async () => undefined,
      random: () => 0.5,
      requestTimeoutMs: 10_000
    })

    const tasks = await client.listTasks(['PROXYTASK1'], { deadline: performance.now() + 10_000 })

    expect(tasks).toEqual([expect.objectContaining({ taskId: 'PROXYTASK1', status: 3 })])
    expect(sim.apiRequests.at(-1)).toMatchObject({ ids: ['PROXYTASK1'], outcome: 'ok' })
    expect(proxyLog()).toContain(tunnel())
  })
})

/** The toolkit would skip the proxy for a loopback name; the sim listens on 127.0.0.1 only. */
async function checkHostName(host: string): Promise<void> {
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
}
