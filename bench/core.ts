/**
 * Benchmarks of the core issue: cold start of the bundle, and polling at scale.
 * Figures are ratios or per-round counts measured in one run, since this machine is noisy.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { runAction } from '../sim/runner.js'

const REPORTER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'usage-reporter.mjs')

function credentials(apiUrl: string): Record<string, string> {
  return {
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': apiUrl
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

async function timeBareNode(): Promise<number> {
  const started = performance.now()
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('close', code =>
      code === 0 ? resolve() : reject(new Error(`node -e 0 exited ${code}`))
    )
  )
  return performance.now() - started
}

export interface ColdStart {
  bareNodeMs: number
  bundleMs: number
  ratio: number
  runs: number
}

/** The bundle for one task that is already finished, against `node -e 0`, alternating runs. */
export async function benchColdStart(runs = 15): Promise<ColdStart> {
  const sim = await startAholoSim()
  sim.addTask('DONE1', [3])
  const bare: number[] = []
  const bundle: number[] = []
  try {
    for (let i = 0; i < runs; i++) {
      bare.push(await timeBareNode())
      const run = await runAction({ inputs: { 'task-ids': 'DONE1', ...credentials(sim.url) } })
      if (run.exitCode !== 0) throw new Error(`the action failed: ${run.stdout}`)
      bundle.push(run.wallMs)
    }
  } finally {
    await sim.close()
  }
  const bareNodeMs = median(bare)
  const bundleMs = median(bundle)
  return { bareNodeMs, bundleMs, ratio: bundleMs / bareNodeMs, runs }
}

export interface ScaleRow {
  tasks: number
  rounds: number
  requestsPerRound: number[]
  expectedPerRound: number
  cpuMs: number
  peakRssMb: number
  wallMs: number
}

/** N tasks that finish on the 20th round; the service counts requests, the child reports its usage. */
export async function benchScale(taskCount: number, rounds = 20): Promise<ScaleRow> {
  const sim = await startAholoSim()
  const ids = Array.from({ length: taskCount }, (_, i) => `SCALE${String(i).padStart(5, '0')}`)
  const timeline = [...Array<number>(rounds - 1).fill(2), 3]
  ids.forEach(id => sim.addTask(id, timeline))
  const usageFile = path.join(mkdtempSync(path.join(tmpdir(), 'aholo-bench-')), 'usage.json')
  try {
    const run = await runAction({
      inputs: {
        'task-ids': ids.join('\n'),
        'poll-interval': '10ms',
        timeout: '10m',
        ...credentials(sim.url)
      },
      env: { NODE_OPTIONS: `--import=${REPORTER}`, BENCH_USAGE_FILE: usageFile }
    })
    if (run.exitCode !== 0)
      throw new Error(`the action failed at ${taskCount} tasks: ${run.stdout.slice(-2000)}`)
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRssKb: number }
    const perRound =
      ids.length === 0
        ? []
        : countPerRound(
            sim.apiRequests.map(request => request.ids ?? []),
            ids[0]
          )
    return {
      tasks: taskCount,
      rounds: perRound.length,
      requestsPerRound: perRound,
      expectedPerRound: Math.ceil(taskCount / 50),
      cpuMs: usage.cpuMs,
      peakRssMb: usage.maxRssKb / 1024,
      wallMs: run.wallMs
    }
  } finally {
    await sim.close()
  }
}

/** A round starts with the request that carries the first id again. */
function countPerRound(requests: string[][], firstId: string): number[] {
  const counts: number[] = []
  for (const ids of requests) {
    if (ids[0] === firstId || counts.length === 0) counts.push(0)
    counts[counts.length - 1]++
  }
  return counts
}
