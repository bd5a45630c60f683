/**
 * Downloads and API calls through a real HTTP proxy (tinyproxy), as on a runner with
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY set.
 *
 * The toolkit never proxies `localhost` or `127.*`, so the local servers are addressed by this
 * machine's host name, which must resolve to a loopback address.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { RequestListener } from 'node:http'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { OpenPlatformSource } from '../src/providers/open-platform/client.js'
import { type DownloadDeps, downloadFile } from '../src/assets/download.js'
import { realClock } from '../src/runtime.js'
import { AholoSim, DEFAULT_CREDENTIALS } from '../sim/open-platform.js'
import { LinkSim } from '../sim/link.js'
import { PROJECT_ROOT } from '../sim/runner.js'
import { startTlsServer } from './support/tls-server.js'
import {
  PROXY_VARIABLES,
  proxiedHostName,
  startTinyproxy,
  TINYPROXY,
  type Tinyproxy,
  tinyproxyInstalled
} from './support/tinyproxy.js'

const PLY = path.resolve('__fixtures__/splats/ply/st_1k_sh3.ply')
const PLY_SHA256 = createHash('sha256').update(readFileSync(PLY)).digest('hex')

// On CI a missing proxy is a broken setup, not a reason to skip.
const run = tinyproxyInstalled() || process.env.CI === 'true'
const describeWithProxy = run ? describe : describe.skip
const title = run
  ? 'through a real HTTP proxy'
  : `through a real HTTP proxy (skipped: ${TINYPROXY} is not installed; CI=true makes this a failure)`

describeWithProxy(title, () => {
  let host: string
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
    host = await proxiedHostName()
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
    clock: realClock,
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

  test('fetches a large file as parallel ranges through the proxy, resuming every range dropped once', async () => {
    const link = await new LinkSim(
      { generated: 24 * 1024 * 1024 },
      { dropEachRangeOnce: 1024 * 1024, drop: { after: 3 * 1024 * 1024, mode: 'once' } }
    ).start('127.0.0.1')
    try {
      const destination = path.join(folder, 'large.bin')
      const result = await downloadFile(
        { url: link.url.replace('127.0.0.1', host), destination, label: 'PROXY PLY' },
        { allowInsecureHosts: [host] },
        deps
      )
      const sha256sum = await new Promise<string>((resolve, reject) =>
        execFile('sha256sum', [destination], (error, stdout) =>
          error ? reject(error) : resolve(stdout.split(' ')[0])
        )
      )
      expect(result.sha256).toBe(sha256sum)
      expect(result.sha256).toBe(link.sha256())
      expect(link.requests.filter(request => request.status === 206).length).toBeGreaterThan(5)
      expect(proxyLog()).toContain(`CONNECT ${host}:${new URL(link.url).port}`)
    } finally {
      await link.close()
    }
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
    const source = new OpenPlatformSource({
      apiUrl: new URL(base),
      credentials: DEFAULT_CREDENTIALS,
      clock: realClock,
      log: { debug: () => undefined },
      requestTimeoutMs: 10_000
    })

    const tasks = await source.listTasks(['PROXYTASK1'], {
      signal: new AbortController().signal,
      deadline: realClock.now() + 10_000
    })

    expect(tasks).toEqual([expect.objectContaining({ taskId: 'PROXYTASK1', status: 3 })])
    expect(sim.apiRequests.at(-1)).toMatchObject({ ids: ['PROXYTASK1'], outcome: 'ok' })
    expect(proxyLog()).toContain(tunnel())
  })

  test('fetches https through the proxy, checking the certificate against the host', async () => {
    const hello: RequestListener = (_request, response) => response.end('hello over TLS')
    const right = await startTlsServer([host], hello)
    const wrong = await startTlsServer(['elsewhere.invalid'], hello)
    try {
      const urls = [right, wrong].map(server => `https://${host}:${server.port}/hello`)

      const results = await fetchInChild(urls, `${right.cert}${wrong.cert}`)

      expect(results).toEqual([
        { status: 200, text: 'hello over TLS' },
        { name: 'NetworkError', code: 'ERR_TLS_CERT_ALTNAME_INVALID' }
      ])
      expect(proxyLog()).toContain(`CONNECT ${host}:${right.port}`)
      expect(proxyLog()).toContain(`CONNECT ${host}:${wrong.port}`)
    } finally {
      await right.close()
      await wrong.close()
    }
  })

  /** sendRequest and readText in a child process that trusts `ca`, with this test's proxy env. */
  async function fetchInChild(urls: string[], ca: string): Promise<unknown[]> {
    const caFile = path.join(folder, 'ca.pem')
    writeFileSync(caFile, ca)
    const script = path.join(folder, 'fetch.mts')
    const http = path.join(PROJECT_ROOT, 'src', 'net', 'http.ts')
    writeFileSync(
      script,
      [
        `import { readText, sendRequest } from ${JSON.stringify(http)}`,
        'const results = []',
        'for (const url of process.argv.slice(2)) {',
        '  try {',
        "    const response = await sendRequest({ method: 'GET', url: new URL(url), timeoutMs: 10000 })",
        '    results.push({ status: response.status, text: await readText(response, 1000) })',
        '  } catch (error) {',
        '    results.push({ name: error.name, code: error.code })',
        '  }',
        '}',
        'console.log(JSON.stringify(results))'
      ].join('\n')
    )
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx')
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, NODE_OPTIONS: '' }
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(tsx, [script, ...urls], { env, timeout: 30_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)
      )
    )
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as unknown[]
  }
})
