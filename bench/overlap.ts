/**
 * Benchmark of issue 10, item 1: four tasks that succeed 60 s apart, each with a 100 MB PLY, at
 * real time against the simulated open platform. The step's total time (start of the wait to
 * the end of delivery), with downloads after the wait (as before: pollTasks, then
 * deliverAssets) against downloads as tasks succeed (startDelivery fed by onFinal, as main.ts
 * does now).
 *
 * Loopback would bring 100 MB down in a fraction of a second and hide what overlapping saves,
 * so the files come from a server of this script that shares one link of `--rate` MB/s (default
 * 10 MB/s, 80 Mbit/s: a plausible runner-to-overseas-storage link) among every download, as a
 * runner's bandwidth is shared. Each file is a valid 3DGS PLY (the fixture's header with the
 * vertex count set, its splats repeated), so it passes verification like a real one.
 *
 * Standalone: `npx tsx bench/overlap.ts [--gap-s 60] [--mb 100] [--rate 10]` (about 4 minutes a
 * variant at the defaults; both variants run once, one after the other).
 */
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { type DeliveryOptions, deliverAssets, startDelivery } from '../src/assets/deliver.js'
import { type PollEvents, pollTasks } from '../src/poll.js'
import { OpenPlatformSource } from '../src/providers/open-platform/client.js'
import { type Log, realClock } from '../src/runtime.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'

const FIXTURE = fileURLToPath(new URL('../__fixtures__/splats/ply/st_1k_sh3.ply', import.meta.url))
const TASKS = 4
const ROUNDS_PER_GAP = 6
const CHUNK = 64 * 1024

export interface OverlapSettings {
  gapMs: number
  fileBytes: number
  /** The shared link, bytes per second. */
  rate: number
}

export interface OverlapRun {
  totalMs: number
  /** From the last task's success to the end of delivery. */
  tailMs: number
}

export interface OverlapBench {
  settings: OverlapSettings
  after: OverlapRun
  during: OverlapRun
}

const SILENT: Log = {
  debug: () => undefined,
  info: () => undefined,
  notice: () => undefined,
  warning: message => console.error(`warning: ${message}`),
  startGroup: () => undefined,
  endGroup: () => undefined
}

export async function benchOverlap(settings: OverlapSettings): Promise<OverlapBench> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-overlap-'))
  const files = await startLink(plyOf(settings.fileBytes), settings.rate)
  try {
    const after = await variant('after', settings, files.url, folder)
    const during = await variant('during', settings, files.url, folder)
    return { settings, after, during }
  } finally {
    await files.close()
    rmSync(folder, { recursive: true, force: true })
  }
}

async function variant(
  kind: 'after' | 'during',
  settings: OverlapSettings,
  filesUrl: string,
  folder: string
): Promise<OverlapRun> {
  const sim: AholoSim = await startAholoSim()
  const ids = Array.from({ length: TASKS }, (_, i) => `${kind.toUpperCase()}${i + 1}`)
  ids.forEach((id, i) => {
    // Asked once a round from t = 0: the (6·(i+1))th round, at about (i+1) gaps, is a success.
    const running = Array<number>(ROUNDS_PER_GAP * (i + 1)).fill(2)
    sim.addTask(id, [...running, { status: 3, result: { plyPath: `${filesUrl}/${id}.ply` } }])
  })
  const source = new OpenPlatformSource({
    apiUrl: new URL(sim.url),
    credentials: DEFAULT_CREDENTIALS,
    clock: realClock,
    log: SILENT,
    requestTimeoutMs: 30_000,
    onRetry: () => undefined
  })
  const deps = { clock: realClock, signal: new AbortController().signal, env: {}, log: SILENT }
  const options: DeliveryOptions = { formats: ['ply'], downloadDir: path.join(folder, kind) }
  const poll = (events?: PollEvents) =>
    pollTasks({
      taskIds: ids,
      pollIntervalMs: settings.gapMs / ROUNDS_PER_GAP,
      timeoutMs: settings.gapMs * (TASKS + 2),
      source,
      clock: realClock,
      signal: deps.signal,
      events
    })
  const started = performance.now()
  try {
    let delivery
    let waited: number
    if (kind === 'after') {
      const outcome = await poll()
      waited = performance.now()
      delivery = await deliverAssets(options, outcome.tasks, deps)
    } else {
      const run = startDelivery(options, deps)
      await poll({ onFinal: task => task.state === 'succeeded' && run.add(task) })
      waited = performance.now()
      delivery = await run.finish()
    }
    const ended = performance.now()
    if (delivery.error) throw new Error(`the ${kind} variant failed: ${delivery.error}`)
    const delivered = [...delivery.files.values()].flat().length
    if (delivered !== TASKS) throw new Error(`the ${kind} variant delivered ${delivered} files`)
    return { totalMs: ended - started, tailMs: ended - waited }
  } finally {
    await sim.close()
  }
}

/** The fixture's header with `vertex` set to fill about `bytes`, its splats repeated. */
function plyOf(bytes: number): Buffer {
  const fixture = readFileSync(FIXTURE)
  const end = fixture.indexOf('end_header\n') + 'end_header\n'.length
  const splats = fixture.subarray(end)
  const stride = splats.length / 1000
  const count = Math.round(bytes / stride)
  const header = Buffer.from(
    fixture
      .subarray(0, end)
      .toString('latin1')
      .replace('element vertex 1000', `element vertex ${count}`),
    'latin1'
  )
  const body = Buffer.alloc(count * stride)
  for (let at = 0; at < body.length; at += splats.length) splats.copy(body, at)
  return Buffer.concat([header, body])
}

/** Serves `body` at every path, all downloads sharing one link of `rate` bytes per second. */
async function startLink(
  body: Buffer,
  rate: number
): Promise<{ url: string; close(): Promise<void> }> {
  let nextFree = performance.now()
  // First come, first served: each chunk books the link's next free slot.
  const take = async (bytes: number): Promise<void> => {
    const start = Math.max(performance.now(), nextFree)
    nextFree = start + (bytes * 1000) / rate
    const wait = nextFree - performance.now()
    if (wait > 0) await delay(wait)
  }
  const server = http.createServer(async (_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': body.length
    })
    for (let at = 0; at < body.length && !res.destroyed; at += CHUNK) {
      const chunk = body.subarray(at, at + CHUNK)
      await take(chunk.length)
      if (!res.write(chunk)) await once(res, 'drain')
    }
    res.end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}

export function formatOverlapBench({ settings, after, during }: OverlapBench): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
  return [
    `${TASKS} tasks succeeding ${s(settings.gapMs)} apart, one ${(settings.fileBytes / 1e6).toFixed(0)} MB PLY each, over one shared ${(settings.rate / 1e6).toFixed(0)} MB/s link; one run of each.\n`,
    '| downloads | step total | after the last success |',
    '| --- | ---: | ---: |',
    `| after the wait (before) | ${s(after.totalMs)} | ${s(after.tailMs)} |`,
    `| as tasks succeed (now) | ${s(during.totalMs)} | ${s(during.tailMs)} |`,
    '',
    `Total: ${(after.totalMs / during.totalMs).toFixed(3)}× (before / now), ${s(after.totalMs - during.totalMs)} saved; after the last success: ${(after.tailMs / during.tailMs).toFixed(2)}×.`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: number): number => {
    const at = process.argv.indexOf(name)
    return at > 0 ? Number(process.argv[at + 1]) : fallback
  }
  const settings = {
    gapMs: arg('--gap-s', 60) * 1000,
    fileBytes: arg('--mb', 100) * 1e6,
    rate: arg('--rate', 10) * 1e6
  }
  console.log('## Downloads as tasks succeed\n')
  console.log(formatOverlapBench(await benchOverlap(settings)))
}
