/**
 * Parallel ranges for large files (issue 16 point 2) against the link emulator (sim/link.ts):
 * ranges dropped, answered short, refused, a length that changes, and a cancel with four
 * connections open. Every digest is checked against `sha256sum` of the file on disk.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { type DownloadOptions, downloadFile } from '../src/assets/download.js'
import { pieceBytesFor } from '../src/assets/parallel.js'
import { createLimiter } from '../src/assets/run-bounded.js'
import { CancelledError } from '../src/errors.js'
import { run } from '../src/main.js'
import { LinkSim, startLink } from '../sim/link.js'
import { downloadHarness, MiB, sha256sum } from './support/download-harness.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { FakeTime } from './support/fake-time.js'
import { RecordingIO } from './support/recording-io.js'

let folder: string
let link: LinkSim | undefined

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-ranges-'))
})
afterEach(async () => {
  await link?.close()
  link = undefined
  rmSync(folder, { recursive: true, force: true })
})

async function fetchFrom(sim: LinkSim, options: DownloadOptions = {}) {
  const { lines, deps } = downloadHarness()
  const destination = path.join(folder, 'T1', 'file.bin')
  // Every connection at once: a loopback link is too fast for the ramp to add any (tested below).
  const result = await downloadFile(
    { url: sim.url, destination, label: 'T1 PLY' },
    { oneConnectionEnough: Infinity, ...options },
    deps
  )
  expect(result.sha256).toBe(sha256sum(destination))
  expect(result.sha256).toBe(sim.sha256())
  expect(readdirSync(path.dirname(destination))).toEqual(['file.bin'])
  return { result, lines }
}

const ranged = (sim: LinkSim) => sim.requests.filter(request => request.status === 206)

test('pieces: a few per connection, from 4 MiB to 64 MiB each', () => {
  expect(pieceBytesFor(256 * MiB, 4)).toBe(16 * MiB)
  expect(pieceBytesFor(20 * MiB, 4)).toBe(4 * MiB)
  expect(pieceBytesFor(4096 * MiB, 4)).toBe(64 * MiB)
})

test('a file from 16 MiB up comes as ranges over 4 connections, each byte fetched about once', async () => {
  link = await startLink({ generated: 40 * MiB + 17 })
  const { result, lines } = await fetchFrom(link)
  // The first answer runs on a little past the first piece before it is let go.
  expect(result.received).toBeLessThan((40 * MiB + 17) * 1.01)
  // The first answer (a 200) serves the first piece; every other piece is a range.
  expect(link.requests[0]).toMatchObject({ status: 200, range: undefined })
  expect(ranged(link).length).toBe(Math.ceil((40 * MiB + 17) / (4 * MiB)) - 1)
  expect(ranged(link).every(request => request.ifRange === '"v1"')).toBe(true)
  expect(lines).toContain('info: T1 PLY: 4 connections, 11 ranges')
})

test('a file under 16 MiB, or download-connections 1, takes one connection', async () => {
  link = await startLink({ generated: 16 * MiB - 1 })
  await fetchFrom(link)
  expect(link.requests).toHaveLength(1)
  await link.close()
  link = await startLink({ generated: 32 * MiB })
  rmSync(path.join(folder, 'T1'), { recursive: true })
  await fetchFrom(link, { connections: 1 })
  expect(link.requests).toHaveLength(1)
})

test('every range dropped once is resumed on its own', async () => {
  link = await startLink({ generated: 32 * MiB }, { dropEachRangeOnce: MiB })
  const { result } = await fetchFrom(link)
  // Each resumed range asks for the rest of its own piece only.
  const starts = link.requests.map(r => Number(/^bytes=(\d+)-\d+$/.exec(r.range ?? '')?.[1] ?? 0))
  const resumed = starts.filter(start => start % (4 * MiB) !== 0)
  // Seven ranges, each cut once (the first piece came with the first answer).
  expect(resumed.length).toBe(7)
  expect(result.received).toBeLessThan(32 * MiB * 1.01)
})

test('a link that cuts a connection every 8 MiB costs at most 5% more bytes than the file', async () => {
  // Capped, as a far link is: on bare loopback, socket buffers hold megabytes in flight.
  link = await startLink(
    { generated: 48 * MiB },
    { drop: { after: 8 * MiB, mode: 'link' }, bytesPerSecond: 32e6 }
  )
  const { result } = await fetchFrom(link)
  // The link did cut connections: each cut range was asked again from where it stopped.
  expect(
    link.requests.filter(request => request.sent === 0 || request.status === 206).length
  ).toBeGreaterThan(11)
  // What reached us; the server's own count also has what was in flight when a socket closed.
  expect(result.received).toBeLessThanOrEqual(48 * MiB * 1.05)
})

test('reports the progress of the file as a whole, every connection together', async () => {
  link = await startLink({ generated: 24 * MiB }, { bytesPerSecond: 8e6 })
  const { lines } = await fetchFrom(link, { progressEveryMs: 100 })
  const progress = lines.filter(line => / of 24 MiB \(\d+%\), /.test(line))
  expect(progress.length).toBeGreaterThan(2)
  expect(progress[0]).toMatch(/^info: T1 PLY: [\d.]+ MiB of 24 MiB \(\d+%\), [\d.]+ MiB\/s$/)
})

test('a range answered short is resumed', async () => {
  link = await startLink({ generated: 24 * MiB }, { shortRanges: 2 })
  const { result } = await fetchFrom(link)
  expect(result.received).toBeLessThan(24 * MiB * 1.01)
  expect(ranged(link).length).toBe(5 + 2)
})

test('ranges refused: falls back to one connection, with a warning', async () => {
  link = await startLink({ generated: 24 * MiB }, { rangesAnsweredWhole: 1000 })
  const { lines } = await fetchFrom(link)
  expect(lines).toContain(
    'warning: T1 PLY: falling back to one connection: the server answered a range with the whole file'
  )
  expect(ranged(link)).toHaveLength(0)
})

test('a length that changes between ranges: falls back to one connection, and the new file comes whole', async () => {
  link = await startLink({ generated: 24 * MiB }, { growsAfter: 1 })
  const { result, lines } = await fetchFrom(link)
  expect(
    lines.some(line => line.startsWith('warning: T1 PLY: falling back to one connection: '))
  ).toBe(true)
  expect(result.bytes).toBe(25 * MiB)
})

test('the connections count against the bounded parallelism across files', async () => {
  link = await startLink({ generated: 32 * MiB })
  const limiter = createLimiter(4)
  // Another file holds one lane: this one may add only two connections to its own.
  let release: () => void = () => undefined
  const held = limiter.run(() => new Promise<void>(resolve => (release = resolve)))
  const { lines } = await limiter.run(() =>
    fetchFrom(link as LinkSim, { borrowConnections: wanted => limiter.borrow(wanted) })
  )
  release()
  await held
  expect(lines).toContain('info: T1 PLY: 3 connections, 8 ranges')
})

test('a cancel mid-download with 4 connections closes every socket, leaves no file, within 2 s', async () => {
  link = await startLink({ generated: 64 * MiB }, { bytesPerSecond: 4 * MiB })
  const sim = link
  const { deps } = downloadHarness()
  const controller = new AbortController()
  const destination = path.join(folder, 'T1', 'file.bin')
  const download = downloadFile(
    { url: link.url, destination, label: 'T1 PLY' },
    { signal: controller.signal, oneConnectionEnough: Infinity },
    deps
  )
  await new Promise(resolve => setTimeout(resolve, 700))
  expect(sim.openConnections).toBe(4)
  const cancelled = performance.now()
  controller.abort(new CancelledError())
  await expect(download).rejects.toBeInstanceOf(CancelledError)
  expect(performance.now() - cancelled).toBeLessThan(2000)
  await new Promise(resolve => setTimeout(resolve, 100))
  expect(sim.openConnections).toBe(0)
  expect(existsSync(destination)).toBe(false)
  expect(readdirSync(path.join(folder, 'T1'))).toEqual([])
})

test('a link that one connection fills keeps one connection; a capped one gets the others', async () => {
  link = await startLink({ generated: 40 * MiB })
  // Loopback brings far more than 1 MiB/s over the first connection: it stays alone.
  const fast = await fetchFrom(link, { oneConnectionEnough: MiB })
  expect(ranged(link).length).toBe(9)
  expect(fast.lines.some(line => line.includes('connections,'))).toBe(false)
  await link.close()
  link = await startLink({ generated: 40 * MiB }, { bytesPerSecond: 16 * MiB })
  const capped = await fetchFrom(link, { oneConnectionEnough: 64 * MiB })
  expect(
    capped.lines.some(line => /4 connections, 10 ranges \(one connection brought/.test(line))
  ).toBe(true)
})

describe('download-connections, through the step', () => {
  let sim: AholoSim
  let home: string
  beforeEach(async () => {
    sim = await startAholoSim({ now: new FakeTime().wallClock })
    home = mkdtempSync(path.join(tmpdir(), 'aholo-ranges-step-'))
    sim.addTask('A1', { timeline: [3], formats: ['ply'] })
  })
  afterEach(async () => {
    await sim.close()
    rmSync(home, { recursive: true, force: true })
  })

  test.each([
    ['2', 2],
    ['1', 1]
  ])('download-connections: %s fetches a large file over %i connection(s)', async (text, lanes) => {
    // A link that caps each connection, as far links do: one connection is not enough.
    link = await startLink({ generated: 20 * MiB }, { bytesPerSecond: 16 * MiB })
    sim.addAsset(sim.assetPath('A1', 'ply'), { kind: 'redirect', location: link.url })
    const io = new RecordingIO({
      'app-key': DEFAULT_CREDENTIALS.appKey,
      'app-secret': DEFAULT_CREDENTIALS.appSecret,
      'app-uid': DEFAULT_CREDENTIALS.appUid,
      'api-url': sim.url,
      'task-ids': 'A1',
      download: 'ply',
      'download-connections': text
    })
    await run(io, {
      clock: new FakeTime(),
      signal: new AbortController().signal,
      env: { GITHUB_WORKSPACE: path.join(home, 'ws'), RUNNER_TEMP: path.join(home, 'temp') }
    })
    // Generated bytes are no PLY: the file fails verification, after it came whole.
    expect(io.failed).toContain('Task A1, PLY')
    const ranges = link.requests.filter(request => request.status === 206)
    if (lanes === 1) expect(ranges).toHaveLength(0)
    else expect(ranges).toHaveLength(4)
    expect(io.lines('info').some(line => line.includes(`${lanes} connections, 5 ranges`))).toBe(
      lanes > 1
    )
  })
})
