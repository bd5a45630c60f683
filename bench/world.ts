/**
 * Benchmark of issue 8: what waiting for N worlds on the World gateway costs per poll round,
 * with 0 or 500 other in-progress worlds in the account: ours (the list, plus a GET of each
 * world that left it; or a GET of each world when that is fewer) against the SDK's way
 * (`waitFor` per world: one GET per world per round, through global fetch).
 *
 * The simulated gateway runs in a child process, so the CPU time measured here is the
 * client's alone. Its clock is virtual and moved by the client between rounds, so both ways
 * see the same statuses in the same round: every world is RUNNING until it succeeds in the
 * last round. Standalone: `npx tsx bench/world.ts [--quick]`.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { pollTasks } from '../src/poll.js'
import { WorldSource } from '../src/providers/world/client.js'
import type { Clock, Log } from '../src/runtime.js'
import { DEFAULT_API_KEY } from '../sim/world.js'
import { median } from './core.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ROUND_MS = 10_000
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMEOUT', 'REJECTED'])

/** The gateway's side, as a module run by `node --import tsx -e`. */
const CHILD = `
import { createInterface } from 'node:readline'
import { startWorldSim } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'sim/world.ts')).href)}
const { ours, others, finishAt } = JSON.parse(process.argv[1])
let now = 0
const sim = await startWorldSim({ now: () => now })
const timeline = [{ at: 0, status: 'RUNNING', progress: 0.5 }, { at: finishAt, status: 'SUCCEEDED', progress: 1 }]
for (let i = 0; i < ours; i++) sim.addWorld('W' + i, timeline)
sim.addOtherWorlds(others)
console.log(JSON.stringify({ url: sim.url }))
for await (const line of createInterface({ input: process.stdin })) {
  const [command, value] = line.split(' ')
  if (command === 'advance') now = Number(value)
  const rounds = new Map()
  if (command === 'report') for (const r of sim.apiRequests) rounds.set(r.at, (rounds.get(r.at) ?? 0) + 1)
  console.log(JSON.stringify([...rounds.values()]))
}
await sim.close()
`

interface Gateway {
  url: string
  /** Sends one line, resolves with the answer's JSON. */
  ask(line: string): Promise<unknown>
  close(): Promise<void>
}

async function startGateway(ours: number, others: number, rounds: number): Promise<Gateway> {
  const args = JSON.stringify({ ours, others, finishAt: (rounds - 1) * ROUND_MS - 5_000 })
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', CHILD, args],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }
  )
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<unknown> => {
    const { value, done } = await lines.next()
    if (done) throw new Error('the simulated gateway ended early')
    return JSON.parse(value as string)
  }
  const { url } = (await next()) as { url: string }
  return {
    url,
    ask: line => {
      child.stdin.write(`${line}\n`)
      return next()
    },
    close: () =>
      new Promise(resolve => {
        child.once('close', () => resolve())
        child.stdin.end()
      })
  }
}

/** Fake time shared with the gateway: a sleep moves both clocks, and costs no real time. */
function virtualClock(gateway: Gateway): Clock {
  let current = 0
  return {
    now: () => current,
    wallClock: () => Date.now() + current,
    random: () => 0.5,
    sleep: async ms => {
      current += ms
      await gateway.ask(`advance ${current}`)
    },
    setTimer: () => () => undefined
  }
}

const quiet: Log = {
  debug: () => undefined,
  info: () => undefined,
  notice: () => undefined,
  warning: () => undefined,
  startGroup: () => undefined,
  endGroup: () => undefined
}

type Way = 'ours' | 'sdk'

async function ours(gateway: Gateway, ids: string[], clock: Clock): Promise<void> {
  const source = new WorldSource({
    apiKey: DEFAULT_API_KEY,
    region: 'cn',
    apiUrl: new URL(gateway.url),
    clock,
    log: quiet,
    requestTimeoutMs: 30_000
  })
  const outcome = await pollTasks({
    taskIds: ids,
    pollIntervalMs: ROUND_MS,
    timeoutMs: 24 * 3600_000,
    source,
    clock,
    signal: new AbortController().signal
  })
  if (outcome.ending !== 'finished') throw new Error(`ours ended ${outcome.ending}`)
}

/** The SDK's `waitFor` for every world at once: a GET per unfinished world per round. */
async function sdkWay(gateway: Gateway, ids: string[], clock: Clock): Promise<void> {
  let unfinished = ids
  while (unfinished.length > 0) {
    const details = await Promise.all(
      unfinished.map(async id => {
        const response = await fetch(`${gateway.url}/world/v1/${encodeURIComponent(id)}`, {
          headers: { Authorization: DEFAULT_API_KEY, 'User-Agent': 'aholo-sdk-core/1.2.0' }
        })
        return (await response.json()) as { status?: string }
      })
    )
    unfinished = unfinished.filter((_, i) => !FINAL.has(details[i].status ?? ''))
    if (unfinished.length > 0) await clock.sleep(ROUND_MS)
  }
}

export interface WayResult {
  perRound: number[]
  cpuMsPerRound: number
}

async function measure(
  way: Way,
  worlds: number,
  others: number,
  rounds: number
): Promise<WayResult> {
  const gateway = await startGateway(worlds, others, rounds)
  try {
    const ids = Array.from({ length: worlds }, (_, i) => `W${i}`)
    const clock = virtualClock(gateway)
    const started = process.cpuUsage()
    await (way === 'ours' ? ours : sdkWay)(gateway, ids, clock)
    const cpu = process.cpuUsage(started)
    const perRound = (await gateway.ask('report')) as number[]
    return { perRound, cpuMsPerRound: (cpu.user + cpu.system) / 1000 / perRound.length }
  } finally {
    await gateway.close()
  }
}

export interface WorldBenchRow {
  worlds: number
  others: number
  ours: WayResult
  sdk: WayResult
}

export async function benchWorld(quick = false): Promise<WorldBenchRow[]> {
  const rounds = quick ? 10 : 20
  const rows: WorldBenchRow[] = []
  for (const worlds of [3, 10, 150, 1000]) {
    for (const others of [0, 500]) {
      const sdk = await measure('sdk', worlds, others, rounds)
      rows.push({ worlds, others, ours: await measure('ours', worlds, others, rounds), sdk })
    }
  }
  return rows
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}

export function formatWorldBench(rows: WorldBenchRow[]): string {
  const lines = [
    '| worlds | other in-progress | ours: requests per round (first · then · last) | ours: total | SDK way: per round | SDK way: total | ours: CPU per round | SDK way: CPU per round |',
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const { worlds, others, ours, sdk } of rows) {
    const r = ours.perRound
    const middle = median(r.slice(1, -1))
    lines.push(
      `| ${worlds} | ${others} | ${r[0]} · ${middle} · ${r.at(-1)} (${r.length} rounds) | ${sum(r)} | ${median(sdk.perRound)} | ${sum(sdk.perRound)} | ${ours.cpuMsPerRound.toFixed(1)} ms | ${sdk.cpuMsPerRound.toFixed(1)} ms |`
    )
  }
  return lines.join('\n')
}

/** The section `npm run bench` prints. */
export async function worldBenchSection(quick = false): Promise<string> {
  const rounds = quick ? 10 : 20
  return `\n## World gateway (${rounds} rounds; every world succeeds in the last)\n\n${formatWorldBench(await benchWorld(quick))}`
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await worldBenchSection(process.argv.includes('--quick')))
}
