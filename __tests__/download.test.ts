import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import * as http from 'node:http'
import * as net from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  type DownloadDeps,
  DownloadError,
  type DownloadOptions,
  downloadFile
} from '../src/assets/download.js'
import { FileSink, FileWriteError } from '../src/assets/file-sink.js'
import { runBounded } from '../src/assets/run-bounded.js'
import { redactUrl, redirectTarget } from '../src/net/url-policy.js'
import { assetFileName } from '../src/assets/file-name.js'
import { CancelledError } from '../src/errors.js'
import { realClock } from '../src/runtime.js'
import { AholoSim, generatedSha256, startAholoSim } from '../sim/open-platform.js'

const PLY = path.resolve('__fixtures__/splats/ply/st_1k_sh3.ply')
const PLY_BYTES = readFileSync(PLY)
const PLY_SHA256 = createHash('sha256').update(PLY_BYTES).digest('hex')

let sim: AholoSim
let folder: string

beforeAll(async () => {
  sim = await startAholoSim()
})

afterAll(async () => {
  await sim.close()
})

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-download-'))
})

afterEach(() => {
  rmSync(folder, { recursive: true, force: true })
})

/** Deps whose sleep returns at once but records each wait, and a log kept in lines. */
function harness(onSleep?: (ms: number) => void) {
  const waits: number[] = []
  const lines: string[] = []
  const deps: DownloadDeps = {
    clock: {
      ...realClock,
      sleep: async ms => {
        waits.push(ms)
        onSleep?.(ms)
      },
      random: () => 0.5
    },
    log: {
      info: message => lines.push(`info: ${message}`),
      debug: message => lines.push(`debug: ${message}`),
      warning: message => lines.push(`warning: ${message}`)
    }
  }
  return { waits, lines, deps }
}

function outcomes(assetPath: string): string[] {
  return sim.requests.filter(request => request.path === assetPath).map(request => request.outcome)
}

function download(
  url: string,
  deps: DownloadDeps,
  options: DownloadOptions = {},
  name = 'scene.ply'
): ReturnType<typeof downloadFile> {
  return downloadFile(
    { url, destination: path.join(folder, 'TASK1', name), label: 'TASK1 PLY' },
    options,
    deps
  )
}

async function rejection(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  if (!(error instanceof DownloadError))
    throw new Error(`expected a DownloadError, got ${String(error)}`)
  return error
}

/** Every file left in the task folder, temporary ones included. */
function leftovers(): string[] {
  const taskFolder = path.join(folder, 'TASK1')
  return existsSync(taskFolder) ? readdirSync(taskFolder) : []
}

/** A server of our own, for what the simulator does not do: hold a body, count connections. */
async function startServer(
  handler: http.RequestListener
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler)
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/** Declares 10 MiB, sends 256 KiB, then says nothing more. */
function stallingHandler(onStalled?: () => void): http.RequestListener {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Length': 10 * 1024 * 1024 })
    res.write(Buffer.alloc(256 * 1024, 1), () => onStalled?.())
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    if (condition()) return
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('downloadFile', () => {
  test('writes the whole file under its final name, with its size and SHA-256, and logs start and end', async () => {
    sim.addAsset('/whole/scene.ply', { kind: 'file', path: PLY })
    const { deps, lines, waits } = harness()

    const result = await download(`${sim.url}/whole/scene.ply?Signature=abc`, deps)

    expect(result).toMatchObject({
      url: `${sim.url}/whole/scene.ply`,
      destination: path.join(folder, 'TASK1', 'scene.ply'),
      bytes: PLY_BYTES.length,
      sha256: PLY_SHA256,
      attempts: 1
    })
    expect(readFileSync(result.destination).equals(PLY_BYTES)).toBe(true)
    expect(leftovers()).toEqual(['scene.ply'])
    expect(waits).toEqual([])
    expect(lines[0]).toBe(`info: TASK1 PLY: downloading ${sim.url}/whole/scene.ply`)
    expect(lines.at(-1)).toMatch(
      /^info: TASK1 PLY: 244 KiB in \d+ms \([\d.]+ MiB\/s\) to .*scene\.ply$/
    )
  })

  test('hashes a large file as it arrives and reports progress with a percentage', async () => {
    const bytes = 40 * 1024 * 1024 + 12345
    sim.addAsset('/large/scene.ply', { kind: 'generated', bytes })
    const { deps, lines } = harness()

    const result = await download(`${sim.url}/large/scene.ply`, deps, { progressEveryMs: 0 })

    expect(result.bytes).toBe(bytes)
    expect(statSync(result.destination).size).toBe(bytes)
    expect(result.sha256).toBe(generatedSha256(bytes))
    expect(
      lines.some(line =>
        /^info: TASK1 PLY: [\d.]+ MiB of 40 MiB \(\d+%\), [\d.]+ MiB\/s$/.test(line)
      )
    ).toBe(true)
  })

  test('hashes parallel large downloads without mixing their bytes', async () => {
    const sizes = [17, 20, 23].map(mib => mib * 1024 * 1024 + mib)
    sizes.forEach(bytes => sim.addAsset(`/parallel/${bytes}.ply`, { kind: 'generated', bytes }))
    const { deps } = harness()

    const results = await Promise.all(
      sizes.map(bytes => download(`${sim.url}/parallel/${bytes}.ply`, deps, {}, `${bytes}.ply`))
    )

    expect(results.map(result => result.sha256)).toEqual(sizes.map(generatedSha256))
  })

  test('retries a body cut short, starting afresh, and fails after maxAttempts with no file left', async () => {
    sim.addAsset('/short/scene.ply', {
      kind: 'short',
      body: PLY_BYTES.subarray(0, 1000),
      declaredLength: PLY_BYTES.length
    })
    const { deps, waits, lines } = harness()

    const error = await rejection(download(`${sim.url}/short/scene.ply`, deps, { maxAttempts: 3 }))

    expect(error.permanent).toBe(false)
    expect(error.attempts).toBe(3)
    expect(error.reason).toMatch(
      new RegExp(`of ${PLY_BYTES.length} bytes.*\\(after 3 attempts\\)$`)
    )
    expect(outcomes('/short/scene.ply')).toEqual(['short', 'short', 'short'])
    expect(waits).toHaveLength(2)
    expect(lines.filter(line => line.startsWith('warning: '))).toHaveLength(2)
    expect(leftovers()).toEqual([])
  })

  test('starts afresh after a connection reset mid-body and then succeeds', async () => {
    sim.addAsset('/reset/scene.ply', { kind: 'reset', body: PLY_BYTES, after: 100_000 })
    // The next try finds the file whole.
    const { deps } = harness(() => sim.addAsset('/reset/scene.ply', { kind: 'file', path: PLY }))

    const result = await download(`${sim.url}/reset/scene.ply`, deps)

    expect(result).toMatchObject({ attempts: 2, bytes: PLY_BYTES.length, sha256: PLY_SHA256 })
    expect(outcomes('/reset/scene.ply')).toEqual(['reset', 'file'])
    expect(leftovers()).toEqual(['scene.ply'])
  })

  test('retries a connection reset before any response', async () => {
    sim.addAsset('/reset-early/scene.ply', { kind: 'file', path: PLY })
    sim.injectAssetFaults('/reset-early/scene.ply', { kind: 'reset' })
    const { deps } = harness()

    const result = await download(`${sim.url}/reset-early/scene.ply`, deps)

    expect(result.attempts).toBe(2)
    expect(result.sha256).toBe(PLY_SHA256)
  })

  test('follows an absolute redirect', async () => {
    sim.addAsset('/files/abs.ply', { kind: 'file', path: PLY })
    sim.addAsset('/redirect/abs.ply', { kind: 'redirect', location: `${sim.url}/files/abs.ply` })
    const { deps } = harness()

    const result = await download(`${sim.url}/redirect/abs.ply`, deps)

    expect(result.sha256).toBe(PLY_SHA256)
    expect(outcomes('/files/abs.ply')).toEqual(['file'])
  })

  test('follows relative redirects, resolved against the URL that gave them', async () => {
    sim.addAsset('/files/rel.ply', { kind: 'file', path: PLY })
    sim.addAsset('/redirect/one/two/rel.ply', {
      kind: 'redirect',
      location: '../../hop.ply',
      status: 307
    })
    sim.addAsset('/redirect/hop.ply', { kind: 'redirect', location: '/files/rel.ply', status: 301 })
    const { deps } = harness()

    const result = await download(`${sim.url}/redirect/one/two/rel.ply?token=x`, deps)

    expect(result.sha256).toBe(PLY_SHA256)
    expect(outcomes('/redirect/hop.ply')).toEqual(['redirect'])
    expect(outcomes('/files/rel.ply')).toEqual(['file'])
  })

  test('stops after ten redirects', async () => {
    sim.addAsset('/loop.ply', { kind: 'redirect', location: '/loop.ply' })
    const { deps, waits } = harness()

    const error = await rejection(download(`${sim.url}/loop.ply`, deps))

    expect(error).toMatchObject({ permanent: true, reason: 'more than 10 redirects' })
    expect(outcomes('/loop.ply')).toHaveLength(11)
    expect(waits).toEqual([])
  })

  test('refuses a redirect to plain http on a host that is not this machine, without requesting it', async () => {
    sim.addAsset('/redirect/away.ply', {
      kind: 'redirect',
      location: 'http://cdn.example.com/scene.ply?sig=SECRET'
    })
    const { deps, waits } = harness()

    const error = await rejection(download(`${sim.url}/redirect/away.ply`, deps))

    expect(error.permanent).toBe(true)
    expect(error.reason).toBe(
      'HTTP 302: refused a redirect: only https: URLs are downloaded (plain http only from this machine); got http://cdn.example.com/scene.ply'
    )
    expect(waits).toEqual([])
    expect(leftovers()).toEqual([])
  })

  test.each([
    ['http://cdn.example.com/scene.ply?sig=SECRET', 'http://cdn.example.com/scene.ply'],
    ['ftp://127.0.0.1/scene.ply', 'ftp://127.0.0.1/scene.ply'],
    ['file:///etc/passwd', 'file:///etc/passwd']
  ])('refuses %s before any request', async (url, shown) => {
    const { deps, lines } = harness()
    const before = sim.requests.length

    const error = await rejection(download(url, deps))

    expect(error).toMatchObject({ permanent: true, attempts: 0, url: shown })
    expect(error.message).not.toContain('SECRET')
    expect(sim.requests.length).toBe(before)
    expect(lines).toEqual([])
    expect(existsSync(path.join(folder, 'TASK1'))).toBe(false)
  })

  test('retries a 503 after a backoff wait, then succeeds', async () => {
    sim.addAsset('/busy/scene.ply', { kind: 'file', path: PLY })
    sim.injectAssetFaults('/busy/scene.ply', { kind: 'status', status: 503 })
    const { deps, waits, lines } = harness()

    const result = await download(`${sim.url}/busy/scene.ply`, deps)

    expect(result.attempts).toBe(2)
    // Full jitter with random() = 0.5 over the first ceiling of 2 s, never below the 1 s floor.
    expect(waits).toEqual([1000])
    expect(lines).toContain('warning: TASK1 PLY: HTTP 503; attempt 1 of 5, trying again in 1s.')
  })

  test('waits as long as Retry-After says after a 429', async () => {
    sim.addAsset('/limited/scene.ply', { kind: 'file', path: PLY })
    sim.injectAssetFaults(
      '/limited/scene.ply',
      { kind: 'rate-limit', retryAfter: '7' },
      { kind: 'status', status: 408 }
    )
    const { deps, waits } = harness()

    const result = await download(`${sim.url}/limited/scene.ply`, deps)

    expect(result.attempts).toBe(3)
    // Then full jitter over the second ceiling, 4 s.
    expect(waits).toEqual([7000, 2000])
  })

  test('waits at least the 1 s floor after Retry-After: 0, and at most 2 min after a longer one', async () => {
    sim.addAsset('/impatient/scene.ply', { kind: 'file', path: PLY })
    sim.injectAssetFaults(
      '/impatient/scene.ply',
      { kind: 'rate-limit', retryAfter: '0' },
      { kind: 'rate-limit', retryAfter: '3600' }
    )
    const { deps, waits } = harness()

    const result = await download(`${sim.url}/impatient/scene.ply`, deps)

    expect(result.attempts).toBe(3)
    expect(waits).toEqual([1000, 120_000])
  })

  test('fails at once on a 404, without a retry', async () => {
    const { deps, waits } = harness()

    const error = await rejection(download(`${sim.url}/missing/scene.ply?sig=SECRET`, deps))

    expect(error).toMatchObject({
      permanent: true,
      attempts: 1,
      reason: 'HTTP 404',
      url: `${sim.url}/missing/scene.ply`
    })
    expect(error.message).toBe(`could not download ${sim.url}/missing/scene.ply: HTTP 404`)
    expect(outcomes('/missing/scene.ply')).toEqual(['not-found'])
    expect(waits).toEqual([])
  })

  test('quotes the error page of a 403 and suggests an expired signature', async () => {
    sim.injectAssetFaults('/expired/scene.ply', {
      kind: 'status',
      status: 403,
      body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
    })
    const { deps } = harness()

    const error = await rejection(download(`${sim.url}/expired/scene.ply`, deps))

    expect(error.reason).toBe(
      'HTTP 403 (AccessDenied Request has expired); the signed URL may have expired'
    )
  })

  test('hands the complete temporary file to verify, and on rejection leaves nothing behind', async () => {
    sim.addAsset('/unverified/scene.ply', { kind: 'file', path: PLY })
    const { deps, waits } = harness()
    const seen: string[] = []

    const error = await rejection(
      download(`${sim.url}/unverified/scene.ply`, deps, {
        verify: async tempPath => {
          seen.push(
            `${path.dirname(tempPath) === path.join(folder, 'TASK1')} ${path.basename(tempPath)} ${statSync(tempPath).size}`
          )
          throw new Error('not a PLY file: the header does not end')
        }
      })
    )

    expect(seen).toEqual([
      expect.stringMatching(
        new RegExp(`^true \\.scene\\.ply\\.[0-9a-f]+\\.part ${PLY_BYTES.length}$`)
      )
    ])
    expect(error).toMatchObject({
      permanent: true,
      attempts: 1,
      reason: 'not a PLY file: the header does not end'
    })
    expect(outcomes('/unverified/scene.ply')).toEqual(['file'])
    expect(waits).toEqual([])
    expect(leftovers()).toEqual([])
  })

  test('removes the temporary file when cancelled mid-body', async () => {
    let stalled = false
    const server = await startServer(stallingHandler(() => (stalled = true)))
    const controller = new AbortController()
    const { deps } = harness()
    try {
      const pending = download(`${server.url}/scene.ply`, deps, { signal: controller.signal })
      await waitFor(
        () => stalled && leftovers().some(name => name.endsWith('.part')),
        'the temporary file'
      )
      const reason = new CancelledError()
      controller.abort(reason)

      await expect(pending).rejects.toBe(reason)
      expect(leftovers()).toEqual([])
    } finally {
      await server.close()
    }
  })

  test('removes the temporary file when cancelled while buffers are being written', async () => {
    sim.addAsset('/cancel/huge.ply', { kind: 'generated', bytes: 1024 * 1024 * 1024 })
    const controller = new AbortController()
    const { deps } = harness()
    // Cancels at the first progress line, 1 MiB in.
    deps.log.info = message => {
      if (message.includes(' of ')) controller.abort(new CancelledError())
    }

    await expect(
      download(`${sim.url}/cancel/huge.ply`, deps, {
        signal: controller.signal,
        progressEveryMs: 0
      })
    ).rejects.toBeInstanceOf(CancelledError)
    expect(leftovers()).toEqual([])
  })

  test('abandons a silent connection after idleTimeoutMs, and tries again', async () => {
    const server = await startServer(stallingHandler())
    const { deps, waits } = harness()
    try {
      const error = await rejection(
        download(`${server.url}/scene.ply`, deps, { idleTimeoutMs: 100, maxAttempts: 2 })
      )
      expect(error.permanent).toBe(false)
      expect(error.reason).toMatch(/no data for 100 ms/)
      expect(waits).toHaveLength(1)
      expect(leftovers()).toEqual([])
    } finally {
      await server.close()
    }
  })
})

describe('downloadFile: cancellation and time limits', () => {
  /** How long `promise` took to settle after `from`, and what it settled with. */
  async function settle(
    promise: Promise<unknown>,
    from: () => number
  ): Promise<{ ms: number; error: unknown }> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught
    )
    return { ms: performance.now() - from(), error }
  }

  test('a cancel mid-body rejects within a second with the signal reason, leaving neither the temporary nor the final file', async () => {
    let stalled = false
    const server = await startServer(stallingHandler(() => (stalled = true)))
    const controller = new AbortController()
    const { deps } = harness()
    try {
      const pending = download(`${server.url}/scene.ply`, deps, { signal: controller.signal })
      await waitFor(() => stalled, 'the body to stall')
      const reason = new CancelledError()
      let cancelledAt = 0
      setTimeout(() => {
        cancelledAt = performance.now()
        controller.abort(reason)
      }, 50)

      const { ms, error } = await settle(pending, () => cancelledAt)

      expect(error).toBe(reason)
      expect(ms).toBeLessThan(1000)
      expect(leftovers()).toEqual([])
    } finally {
      await server.close()
    }
  })

  test('a cancel during the wait between tries ends it within a second', async () => {
    sim.addAsset('/cancel-wait/scene.ply', { kind: 'file', path: PLY })
    sim.injectAssetFaults('/cancel-wait/scene.ply', { kind: 'rate-limit', retryAfter: '60' })
    const controller = new AbortController()
    const reason = new CancelledError()
    let cancelledAt = 0
    const deps: DownloadDeps = {
      clock: realClock,
      log: {
        info: () => undefined,
        debug: () => undefined,
        // The retry warning comes just before the 60 s wait.
        warning: () =>
          setTimeout(() => {
            cancelledAt = performance.now()
            controller.abort(reason)
          }, 50)
      }
    }

    const { ms, error } = await settle(
      download(`${sim.url}/cancel-wait/scene.ply`, deps, { signal: controller.signal }),
      () => cancelledAt
    )

    expect(error).toBe(reason)
    expect(ms).toBeLessThan(1000)
    expect(leftovers()).toEqual([])
  })

  test('a cancel during verification ends it within a second and removes the file', async () => {
    sim.addAsset('/cancel-verify/scene.ply', { kind: 'file', path: PLY })
    const controller = new AbortController()
    const reason = new CancelledError()
    let cancelledAt = 0
    const { deps } = harness()

    const { ms, error } = await settle(
      download(`${sim.url}/cancel-verify/scene.ply`, deps, {
        signal: controller.signal,
        // A verifier that never ends, as a deep check of a huge file nearly does.
        verify: () => {
          setTimeout(() => {
            cancelledAt = performance.now()
            controller.abort(reason)
          }, 50)
          return new Promise<void>(() => undefined)
        }
      }),
      () => cancelledAt
    )

    expect(error).toBe(reason)
    expect(ms).toBeLessThan(1000)
    expect(leftovers()).toEqual([])
  })

  test('a body that stalls ends at the time limit, with no retry past it and no file left', async () => {
    const server = await startServer(stallingHandler())
    const { deps } = harness()
    const started = performance.now()
    try {
      const error = await rejection(
        download(`${server.url}/scene.ply`, deps, { timeLimitMs: 400, maxAttempts: 5 })
      )

      const ms = performance.now() - started
      expect(error).toMatchObject({ permanent: false, attempts: 1 })
      expect(error.reason).toBe('did not finish within 400ms')
      expect(ms).toBeGreaterThanOrEqual(390)
      expect(ms).toBeLessThan(1400)
      expect(leftovers()).toEqual([])
    } finally {
      await server.close()
    }
  })

  describe('through a proxy that accepts the connection and never answers CONNECT', () => {
    const PROXY_VARIABLES = [
      'HTTPS_PROXY',
      'https_proxy',
      'HTTP_PROXY',
      'http_proxy',
      'NO_PROXY',
      'no_proxy'
    ]
    let saved: Record<string, string | undefined>
    let proxy: { close(): Promise<void>; connects: () => number }
    // Never requested: the proxy is asked to tunnel to it and never answers.
    const url = 'https://assets.example.invalid/scene.ply?Signature=SECRET'

    beforeEach(async () => {
      const server = net.createServer(socket => socket.on('error', () => undefined))
      let connects = 0
      server.on('connection', socket =>
        socket.once('data', chunk => {
          if (chunk.toString('latin1').startsWith('CONNECT ')) connects++
        })
      )
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      const sockets = new Set<net.Socket>()
      server.on('connection', socket => {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
      })
      proxy = {
        connects: () => connects,
        close: async () => {
          for (const socket of sockets) socket.destroy()
          await new Promise<void>(resolve => server.close(() => resolve()))
        }
      }
      saved = Object.fromEntries(PROXY_VARIABLES.map(name => [name, process.env[name]]))
      for (const name of PROXY_VARIABLES) delete process.env[name]
      process.env.HTTPS_PROXY = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })

    afterEach(async () => {
      for (const name of PROXY_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
      await proxy.close()
    })

    test('a cancel ends the download within a second', async () => {
      const controller = new AbortController()
      const reason = new CancelledError()
      const { deps } = harness()
      const pending = download(url, deps, { signal: controller.signal })
      await waitFor(() => proxy.connects() > 0, 'the CONNECT request')
      const cancelledAt = performance.now()
      controller.abort(reason)

      const { ms, error } = await settle(pending, () => cancelledAt)

      expect(error).toBe(reason)
      expect(ms).toBeLessThan(1000)
      expect(leftovers()).toEqual([])
    }, 10_000)

    test('the time limit ends the download', async () => {
      const { deps } = harness()
      const started = performance.now()

      const error = await rejection(download(url, deps, { timeLimitMs: 500 }))

      expect(error.reason).toBe('did not finish within 500ms')
      expect(error.message).not.toContain('SECRET')
      expect(performance.now() - started).toBeLessThan(1500)
      expect(proxy.connects()).toBe(1)
      expect(leftovers()).toEqual([])
    }, 10_000)
  })
})

describe('FileSink', () => {
  test('writes the chunks in order and gives their byte count and SHA-256', async () => {
    const chunks = [Buffer.from('splat'), Buffer.alloc(100_000, 7), Buffer.from('end')]
    const target = path.join(folder, 'sink.bin')
    const sink = new FileSink(target)

    await pipeline(Readable.from(chunks), sink)

    const whole = Buffer.concat(chunks)
    expect(readFileSync(target).equals(whole)).toBe(true)
    expect(sink.result).toEqual({
      bytes: whole.length,
      sha256: createHash('sha256').update(whole).digest('hex')
    })
  })

  test('refuses a file that already exists, as a FileWriteError naming it', async () => {
    const target = path.join(folder, 'taken.bin')
    writeFileSync(target, 'mine')

    const error = await pipeline(Readable.from([Buffer.from('x')]), new FileSink(target)).then(
      () => undefined,
      (caught: unknown) => caught
    )

    expect(error).toBeInstanceOf(FileWriteError)
    expect((error as Error).message).toMatch(new RegExp(`^cannot write ${target}: EEXIST`))
    expect(readFileSync(target, 'utf8')).toBe('mine')
  })
})

describe('redirectTarget', () => {
  const from = new URL('https://cdn.example.com/assets/a/scene.ply?sig=1')

  test('resolves a relative Location against the URL that gave it', () => {
    expect(redirectTarget(from, '../b/scene.ply?sig=2')).toEqual({
      next: new URL('https://cdn.example.com/assets/b/scene.ply?sig=2')
    })
    expect(redirectTarget(from, '//mirror.example.com/scene.ply')).toEqual({
      next: new URL('https://mirror.example.com/scene.ply')
    })
  })

  test('never leaves https for http, not even for this machine', () => {
    expect(redirectTarget(from, 'http://cdn.example.com/scene.ply?sig=SECRET')).toEqual({
      refusal: 'refused a redirect from https to http://cdn.example.com/scene.ply'
    })
    expect(redirectTarget(from, 'http://127.0.0.1:8080/scene.ply')).toHaveProperty('refusal')
  })

  test('allows plain http from a loopback host to a loopback host, or to a host allowed by name', () => {
    const local = new URL('http://127.0.0.1:8080/a.ply')
    expect(redirectTarget(local, 'http://localhost:9090/b.ply')).toHaveProperty('next')
    expect(redirectTarget(local, 'http://builder:9090/b.ply')).toHaveProperty('refusal')
    expect(redirectTarget(local, 'http://builder:9090/b.ply', ['builder'])).toHaveProperty('next')
  })

  test('refuses a missing Location', () => {
    expect(redirectTarget(from, undefined)).toEqual({
      refusal: 'a redirect without a Location header'
    })
  })
})

describe('redactUrl', () => {
  test('drops the query string, the fragment and any credentials', () => {
    expect(redactUrl('https://user:pass@cdn.example.com/a/b.ply?X-Amz-Signature=abc#frag')).toBe(
      'https://cdn.example.com/a/b.ply'
    )
    expect(redactUrl('not a url?token=abc')).toBe('not a url')
  })
})

describe('runBounded', () => {
  test('runs at most `concurrency` downloads at once and returns results in input order', async () => {
    let active = 0
    let peak = 0
    const server = await startServer((req, res) => {
      active++
      peak = Math.max(peak, active)
      res.on('close', () => active--)
      // Later items answer sooner, so completion order differs from input order.
      const index = Number(req.url?.slice(1).split('.')[0])
      setTimeout(
        () => res.writeHead(200, { 'Content-Length': 3 }).end(String(index).padStart(3, '0')),
        60 - index * 5
      )
    })
    const { deps } = harness()
    try {
      const items = Array.from({ length: 10 }, (_, index) => index)
      const results = await runBounded(items, 3, index =>
        downloadFile(
          {
            url: `${server.url}/${index}.ply`,
            destination: path.join(folder, `${index}.ply`),
            label: String(index)
          },
          {},
          deps
        )
      )

      expect(peak).toBe(3)
      expect(results.map(result => path.basename(result.destination))).toEqual(
        items.map(index => `${index}.ply`)
      )
      expect(results.map(result => readFileSync(result.destination, 'utf8'))).toEqual(
        items.map(index => String(index).padStart(3, '0'))
      )
    } finally {
      await server.close()
    }
  })

  test('starts nothing new after a failure, waits for the running jobs, then throws the first error', async () => {
    const started: number[] = []
    let release: () => void = () => undefined
    const gate = new Promise<void>(resolve => (release = resolve))
    const failure = new Error('job 1 failed')

    const run = runBounded([0, 1, 2, 3, 4], 2, async index => {
      started.push(index)
      if (index === 1) throw failure
      await gate
      return index
    })
    let settled = false
    void run.catch(() => (settled = true))
    await new Promise(resolve => setImmediate(resolve))

    expect(settled).toBe(false)
    release()
    await expect(run).rejects.toBe(failure)
    expect(started).toEqual([0, 1])
  })

  test('starts nothing once the signal is aborted', async () => {
    const controller = new AbortController()
    const reason = new CancelledError()
    const started: number[] = []

    const run = runBounded(
      [0, 1, 2, 3],
      1,
      async index => {
        started.push(index)
        controller.abort(reason)
        return index
      },
      controller.signal
    )

    await expect(run).rejects.toBe(reason)
    expect(started).toEqual([0])
  })
})

describe('assetFileName', () => {
  test.each([
    ['https://cdn.example.com/a/b/scene_v2.ply?Expires=1&Signature=abc', 'ply', 'scene_v2.ply'],
    ['https://cdn.example.com/a/b/scene.compressed.ply#part', 'ply', 'scene.compressed.ply'],
    ['https://cdn.example.com/a/SCENE.SPZ', 'spz', 'SCENE.SPZ'],
    ['https://cdn.example.com/my%20scene%20(final)!.sog', 'sog', 'myscenefinal.sog'],
    ['https://cdn.example.com/a/%2e%2e', 'ply', 'point_cloud.ply'],
    ['https://cdn.example.com/a/..%2f..%2fetc%2fpasswd', 'ply', 'etcpasswd.ply'],
    ['https://cdn.example.com/a/b/', 'spz', 'point_cloud.spz'],
    ['https://cdn.example.com', 'sog', 'point_cloud.sog'],
    ['https://cdn.example.com/场景.ply', 'ply', 'point_cloud.ply'],
    ['https://cdn.example.com/.hidden.ply', 'ply', 'hidden.ply'],
    ['https://cdn.example.com/download?format=spz', 'spz', 'download.spz'],
    ['https://cdn.example.com/asset.ply', 'spz', 'asset.ply.spz'],
    ['https://cdn.example.com/%E0%A4%A', 'ply', 'E0A4A.ply'],
    ['not a url/x y.ply?sig=1', 'ply', 'xy.ply']
  ] as const)('%s as %s is %s', (url, format, expected) => {
    expect(assetFileName(url, format)).toBe(expected)
  })

  test('keeps long names under 200 characters, extension included', () => {
    const name = assetFileName(`https://cdn.example.com/${'a'.repeat(300)}.ply`, 'ply')
    expect(name).toHaveLength(200)
    expect(name.endsWith('.ply')).toBe(true)
  })
})
