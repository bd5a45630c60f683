/**
 * Resumed downloads (issue 16 point 1) and the byte budgets (issue 19 points 7, 15 and 21),
 * against the link emulator (sim/link.ts) and plain local servers. Every digest is checked
 * against `sha256sum` of the file on disk.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import {
  DownloadError,
  type DownloadOptions,
  downloadFile,
  downloadsDeadline
} from '../src/assets/download.js'
import { isPrivateHost, redirectTarget, refuseUrl } from '../src/net/url-policy.js'
import { realClock } from '../src/runtime.js'
import { LinkSim, startLink } from '../sim/link.js'
import { downloadHarness, MiB, sha256sum } from './support/download-harness.js'

let folder: string
let link: LinkSim | undefined

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-resume-'))
})
afterEach(async () => {
  await link?.close()
  link = undefined
  rmSync(folder, { recursive: true, force: true })
})

async function fetchFrom(url: string, options: DownloadOptions = {}) {
  const { lines, deps } = downloadHarness()
  const destination = path.join(folder, 'T1', 'file.bin')
  const result = await downloadFile({ url, destination, label: 'T1 PLY' }, options, deps)
  return { result, lines, destination }
}

describe('a drop mid-file', () => {
  test('is resumed with Range and If-Range, answered 206, and the digest covers the whole file', async () => {
    link = await startLink({ generated: 6 * MiB }, { drop: { after: 4 * MiB, mode: 'once' } })
    const { result, lines, destination } = await fetchFrom(link.url)

    expect(link.requests.map(r => r.status)).toEqual([200, 206])
    // Where the first answer was cut, less what was still in flight.
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(link.requests[1].range ?? '')?.[1])
    expect(resumedAt).toBeGreaterThan(3 * MiB)
    expect(resumedAt).toBeLessThanOrEqual(4 * MiB)
    expect(link.requests[1].ifRange).toBe('"v1"')
    expect(result.attempts).toBe(2)
    expect(result.received).toBe(6 * MiB)
    expect(result.bytes).toBe(6 * MiB)
    expect(result.sha256).toBe(sha256sum(destination))
    expect(result.sha256).toBe(link.sha256())
    expect(lines).toContain(`info: T1 PLY: resuming from byte ${resumedAt}`)
    expect(readdirSync(path.dirname(destination))).toEqual(['file.bin'])
  })

  test('resumes again and again when the link drops every 1 MiB, fetching each byte once', async () => {
    link = await startLink({ generated: 4 * MiB + 123 }, { drop: { after: MiB, mode: 'every' } })
    const { result, destination } = await fetchFrom(link.url)
    expect(result.attempts).toBe(5)
    expect(result.received).toBe(4 * MiB + 123)
    expect(result.sha256).toBe(sha256sum(destination))
    expect(result.sha256).toBe(link.sha256())
  })

  test('starts from byte 0 again, saying why, when the range is answered with 200', async () => {
    link = await startLink(
      { generated: 3 * MiB },
      { drop: { after: 2 * MiB, mode: 'once' }, rangesAnsweredWhole: 1 }
    )
    const { result, lines, destination } = await fetchFrom(link.url)
    expect(link.requests.map(r => r.status)).toEqual([200, 200])
    expect(lines).toContain(
      'info: T1 PLY: starting from byte 0 again: the server answered the range request with the whole file (HTTP 200)'
    )
    expect(result.received).toBeGreaterThan(4 * MiB)
    expect(result.received).toBeLessThanOrEqual(5 * MiB)
    expect(result.sha256).toBe(sha256sum(destination))
    expect(result.sha256).toBe(link.sha256())
  })

  test('starts from byte 0 again when the ETag changed between tries (If-Range gets the whole file)', async () => {
    const first = randomBytes(3 * MiB)
    const second = randomBytes(3 * MiB)
    link = await startLink(first, { drop: { after: 2 * MiB, mode: 'once' } })
    const sim = link
    const { lines, deps } = downloadHarness()
    const destination = path.join(folder, 'file.bin')
    // The file is rewritten on the server while the client waits between tries.
    deps.clock.sleep = async () => sim.replace(second, '"v2"')
    const result = await downloadFile({ url: link.url, destination, label: 'T1 PLY' }, {}, deps)
    expect(link.requests[1]).toMatchObject({ ifRange: '"v1"', status: 200 })
    expect(lines.some(line => line.includes('starting from byte 0 again'))).toBe(true)
    expect(result.sha256).toBe(sha256sum(destination))
    expect(result.sha256).toBe(link.sha256())
  })

  test('starts from byte 0 again when a server that ignores If-Range answers 206 with another ETag', async () => {
    const second = randomBytes(3 * MiB)
    link = await startLink(randomBytes(3 * MiB), {
      drop: { after: 2 * MiB, mode: 'once' },
      ignoreIfRange: true
    })
    const sim = link
    const { lines, deps } = downloadHarness()
    const destination = path.join(folder, 'file.bin')
    deps.clock.sleep = async () => sim.replace(second, '"v2"')
    const result = await downloadFile({ url: link.url, destination, label: 'T1 PLY' }, {}, deps)
    expect(link.requests.map(r => r.status)).toEqual([200, 206, 200])
    expect(lines).toContain(
      'info: T1 PLY: starting from byte 0 again: the file changed on the server ("v2", was "v1")'
    )
    expect(result.sha256).toBe(sha256sum(destination))
    expect(result.sha256).toBe(link.sha256())
  })

  test('starts from byte 0 again when the Content-Range does not fit what was asked', async () => {
    link = await startLink(
      { generated: 3 * MiB },
      { drop: { after: 2 * MiB, mode: 'once' }, wrongContentRange: 1 }
    )
    const { result, lines, destination } = await fetchFrom(link.url)
    expect(link.requests.map(r => r.status)).toEqual([200, 206, 200])
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(link.requests[1].range ?? '')?.[1])
    expect(lines).toContain(
      `info: T1 PLY: starting from byte 0 again: Content-Range 'bytes ${resumedAt + 1}-${3 * MiB - 1}/${3 * MiB}' in answer to bytes=${resumedAt}-`
    )
    expect(result.attempts).toBe(2)
    expect(result.sha256).toBe(sha256sum(destination))
    expect(result.sha256).toBe(link.sha256())
  })

  test('starts from byte 0 again when the server gave no validator to resume against', async () => {
    link = await startLink(
      { generated: 3 * MiB },
      { drop: { after: 2 * MiB, mode: 'once' }, etag: undefined }
    )
    link.settings.etag = undefined
    const { result, lines, destination } = await fetchFrom(link.url)
    expect(link.requests.map(r => r.range)).toEqual([undefined, undefined])
    expect(lines).toContain(
      'info: T1 PLY: starting from byte 0 again: the server gave neither an ETag nor Last-Modified to resume against'
    )
    expect(result.sha256).toBe(sha256sum(destination))
  })

  test('starts from byte 0 again when the server does not take ranges', async () => {
    link = await startLink(
      { generated: 3 * MiB },
      { drop: { after: MiB, mode: 'once' }, ranges: false }
    )
    const { result, destination } = await fetchFrom(link.url)
    expect(link.requests.map(r => r.range)).toEqual([undefined, undefined])
    expect(result.received).toBeGreaterThan(3 * MiB)
    expect(result.received).toBeLessThanOrEqual(4 * MiB)
    expect(result.sha256).toBe(sha256sum(destination))
  })

  test('counts tries as before: a link that drops every time fails after maxAttempts, leaving no file', async () => {
    link = await startLink({ generated: 4 * MiB }, { drop: { after: MiB / 4, mode: 'every' } })
    await expect(fetchFrom(link.url, { maxAttempts: 3 })).rejects.toThrow(
      /the connection failed after \d+ of 4194304 bytes .*\(after 3 attempts\)/
    )
    expect(link.requests).toHaveLength(3)
    expect(readdirSync(path.join(folder, 'T1'))).toEqual([])
  })
})

describe("'max-file-size' bounds the bytes", () => {
  test('a Content-Length over the budget is refused before the body, with nothing left', async () => {
    link = await startLink({ generated: 64 * MiB })
    const error = await fetchFrom(link.url, { maxBytes: MiB }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DownloadError)
    expect((error as DownloadError).permanent).toBe(true)
    expect((error as DownloadError).reason).toBe(
      "64 MiB (67,108,864 bytes), over 'max-file-size' of 1.0 MiB (1,048,576 bytes)"
    )
    expect(link.requests).toHaveLength(1)
    expect(readdirSync(path.join(folder, 'T1'))).toEqual([])
  })

  test('a body without a length is stopped as soon as the bytes received pass the budget', async () => {
    let written = 0
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      const chunk = Buffer.alloc(64 * 1024, 1)
      const pump = (): void => {
        while (written < 256 * MiB && !res.destroyed) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const error = await fetchFrom(`http://127.0.0.1:${port}/x.ply`, { maxBytes: 2 * MiB }).catch(
        (e: unknown) => e
      )
      expect((error as DownloadError).reason).toBe(
        "more than 2.0 MiB (2,097,152 bytes) received, over 'max-file-size' of 2.0 MiB (2,097,152 bytes)"
      )
      // Stopped early: far less than the 256 MiB on offer left the server.
      expect(written).toBeLessThan(64 * MiB)
      expect(readdirSync(path.join(folder, 'T1'))).toEqual([])
    } finally {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })

  test('a file exactly at the budget is kept', async () => {
    link = await startLink({ generated: MiB })
    const { result, destination } = await fetchFrom(link.url, { maxBytes: MiB })
    expect(result.sha256).toBe(sha256sum(destination))
  })
})

describe('the overall limit on downloads', () => {
  test('ends a trickling host at the deadline, with nothing left', async () => {
    link = await startLink({ generated: MiB }, { bytesPerSecond: 20_000 })
    const began = performance.now()
    const error = await fetchFrom(link.url, { deadline: realClock.now() + 1500 }).catch(
      (e: unknown) => e
    )
    expect(performance.now() - began).toBeLessThan(3000)
    expect((error as DownloadError).reason).toMatch(
      /^did not finish within the overall limit on downloads \(1\.5s left when it started\)/
    )
    expect(readdirSync(path.join(folder, 'T1'))).toEqual([])
  })

  test('is timeout after the step began, plus as much again for late files, at most 10 min more', () => {
    expect(downloadsDeadline(1000, 30_000)).toBe(61_000)
    expect(downloadsDeadline(0, 60 * 60_000)).toBe(70 * 60_000)
  })
})

describe('private, link-local and metadata addresses', () => {
  test.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '[fd00:ec2::254]',
    '[fe80::1]',
    '[::ffff:169.254.169.254]',
    '[::ffff:a9fe:a9fe]',
    'metadata.google.internal',
    'METADATA.GOOGLE.INTERNAL.'
  ])('https://%s is refused unless api-url is on such a host', host => {
    const url = new URL(`https://${host}/scene.ply?sig=1`)
    expect(refuseUrl(url)).toMatch(/is a private, link-local or metadata address/)
    expect(refuseUrl(url, [], true)).toBeUndefined()
  })

  test.each(['8.8.8.8', '172.32.0.1', 'holo-cos.aholo3d.cn', '127.0.0.1', '[::1]', 'localhost'])(
    'https://%s is not among them',
    host => expect(isPrivateHost(new URL(`https://${host}/`).hostname)).toBe(false)
  )

  test('a redirect to the metadata address is refused', () => {
    const from = new URL('https://cdn.example.com/a.ply')
    expect(redirectTarget(from, 'https://169.254.169.254/latest/meta-data/')).toHaveProperty(
      'refusal'
    )
  })

  test('a download from one is refused before any request', async () => {
    const error = await fetchFrom('https://169.254.169.254/latest/meta-data/').catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(DownloadError)
    expect((error as DownloadError).attempts).toBe(0)
    expect((error as DownloadError).permanent).toBe(true)
  })
})
