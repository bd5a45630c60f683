/**
 * Benchmark of issue 7: a 1 GiB download from a loopback server, side by side in one run, by
 * - ours: the action's downloader (file and SHA-256 in one pass),
 * - (a) `curl -o FILE && openssl dgst -sha256 FILE`: the fastest shell way to the same file and
 *   digest, two passes,
 * - (b) @actions/tool-cache's `downloadTool` (neither hashes nor verifies),
 * - (c) a bare Node `http.get` piped into `fs.createWriteStream`: its peak RSS is the memory
 *   yardstick;
 * and ours at 64 MiB against ours at 1 GiB, since memory must not grow with the file.
 *
 * Node contestants run in child processes of plain Node on a transpiled copy of src/ (tsx's
 * loader alone adds about 50 MB of RSS); their time runs from the call to its return. Rounds
 * rotate who goes first; the disk is synced before each run, so nobody pays for another's
 * dirty pages. This machine is shared and noisy: ratios use the best time of each side, with
 * the median of the per-round ratios beside them.
 *
 * Standalone: `npx tsx bench/download.ts [--rounds N]`.
 */
import { execFileSync, spawn } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { generatedSha256, startAholoSim } from '../sim/open-platform.js'
import { median } from './core.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const GIB = 1024 * 1024 * 1024
const SMALL = 64 * 1024 * 1024

/** One contestant over the rounds: times and CPU (every thread) in ms, peak RSS in KiB. */
export interface Contestant {
  ms: number[]
  cpuMs: number[]
  maxRssKb: number[]
}

export const CONTESTANTS = ['ours', 'curl-openssl', 'tool-cache', 'bare'] as const
export type ContestantName = (typeof CONTESTANTS)[number]

export interface DownloadBench {
  rounds: number
  runs: Record<ContestantName, Contestant>
  /** Ours at 64 MiB, for the growth of memory with the file size. */
  small: Contestant
  /** Best of the rounds: Node reading the body through src/net/http.ts and dropping it. */
  readOnlyMs: number
}

export interface ChildReport {
  ms: number
  cpuMs: number
  bytes?: number
  sha256?: string
  received?: number
  maxRssKb: number
}

export async function benchDownload(rounds = 5): Promise<DownloadBench> {
  const childScript = transpileChild()
  const sim = await startAholoSim()
  sim.addAsset('/big.bin', { kind: 'generated', bytes: GIB })
  sim.addAsset('/small.bin', { kind: 'generated', bytes: SMALL })
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-download-'))
  const target = path.join(folder, 'file.bin')
  const expected = { [GIB]: generatedSha256(GIB), [SMALL]: generatedSha256(SMALL) }
  const empty = (): Contestant => ({ ms: [], cpuMs: [], maxRssKb: [] })
  const runs = Object.fromEntries(CONTESTANTS.map(name => [name, empty()])) as Record<
    ContestantName,
    Contestant
  >
  const small = empty()
  const readOnly: number[] = []
  const record = (into: Contestant, report: ChildReport): void => {
    into.ms.push(report.ms)
    into.cpuMs.push(report.cpuMs)
    into.maxRssKb.push(report.maxRssKb)
  }
  const node = async (mode: string, bytes: number): Promise<ChildReport> => {
    settleDisk()
    const url = `${sim.url}/${bytes === GIB ? 'big' : 'small'}.bin`
    const report = await runChild(childScript, [url, target, mode])
    rmSync(target, { force: true })
    if (report.bytes !== undefined && report.bytes !== bytes) {
      throw new Error(`${mode} returned ${report.bytes} bytes`)
    }
    if (report.sha256 !== undefined && report.sha256 !== expected[bytes]) {
      throw new Error(`${mode} returned sha256 ${report.sha256}`)
    }
    return report
  }
  const run = async (name: ContestantName): Promise<void> => {
    if (name !== 'curl-openssl') return record(runs[name], await node(name, GIB))
    settleDisk()
    const { ms, cpuMs, sha256 } = await timeCurlOpenssl(`${sim.url}/big.bin`, target)
    rmSync(target, { force: true })
    if (sha256 !== expected[GIB]) throw new Error(`openssl printed sha256 ${sha256}`)
    runs[name].ms.push(ms)
    runs[name].cpuMs.push(cpuMs)
  }
  try {
    for (let round = 0; round < rounds; round++) {
      // Each contestant goes first once every CONTESTANTS.length rounds.
      const order = CONTESTANTS.map((_, i) => CONTESTANTS[(i + round) % CONTESTANTS.length])
      for (const name of order) await run(name)
      record(small, await node('ours', SMALL))
      readOnly.push((await node('read-only', GIB)).ms)
    }
  } finally {
    await sim.close()
    rmSync(folder, { recursive: true, force: true })
    rmSync(path.dirname(path.dirname(childScript)), { recursive: true, force: true })
  }
  return { rounds, runs, small, readOnlyMs: Math.min(...readOnly) }
}

/**
 * Transpiles src/ and a child script of bench/ into node_modules/.cache, where bare imports
 * resolve; the path of the child's JavaScript.
 */
export function transpileChild(child = 'download-child'): string {
  const out = path.join(ROOT, 'node_modules', '.cache', `aholo-bench-${child}`)
  rmSync(out, { recursive: true, force: true })
  const sources = [...listTs(path.join(ROOT, 'src')), path.join(ROOT, 'bench', `${child}.ts`)]
  for (const source of sources) {
    const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: source
    })
    const destination = path.join(out, path.relative(ROOT, source)).replace(/\.ts$/, '.js')
    mkdirSync(path.dirname(destination), { recursive: true })
    writeFileSync(destination, outputText)
  }
  // The child's peak-RSS reader is plain JavaScript already.
  copyFileSync(path.join(ROOT, 'bench', 'peak-rss.mjs'), path.join(out, 'bench', 'peak-rss.mjs'))
  // node_modules ends the search for a package scope: say ESM here.
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n')
  return path.join(out, 'bench', `${child}.js`)
}

function listTs(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) return listTs(full)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : []
  })
}

/** Writes back what the last run left dirty, so that nobody pays for another's file. */
function settleDisk(): void {
  execFileSync('sync')
}

export function runChild(script: string, args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', code => {
      if (code !== 0) return reject(new Error(`the download child exited ${code}: ${output}`))
      // The last line: the toolkit may print `::debug::` lines before it.
      const last = output.trim().split('\n').at(-1) ?? ''
      resolve(JSON.parse(last) as ChildReport)
    })
  })
}

/** Runs a command to its end; its standard output. */
export function runProcess(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', code =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}`))
    )
  })
}

/**
 * `curl -o FILE && openssl dgst -sha256 FILE`, both whole processes, under one bash that
 * reports their CPU (`times`: user and system time of its children).
 */
export async function timeCurlOpenssl(
  url: string,
  file: string
): Promise<{ ms: number; cpuMs: number; sha256: string }> {
  const script =
    'curl --silent --show-error --fail -o "$2" "$1" && openssl dgst -sha256 -r "$2" && times'
  const started = performance.now()
  const printed = await runProcess('bash', ['-c', script, 'bash', url, file])
  const ms = performance.now() - started
  const [digestLine, , children] = printed.trim().split('\n')
  return { ms, cpuMs: cpuOfTimes(children ?? ''), sha256: digestLine.split(' ')[0] }
}

/** Seconds in bash's `times` line (`0m1.234s 0m0.567s`: user, system), summed, in ms. */
function cpuOfTimes(line: string): number {
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, seconds]) => sum + (Number(minutes) * 60 + Number(seconds)) * 1000,
    0
  )
}

/** Time of `them` over ours, best against best and per round: above 1 means ours is faster. */
function speedup(ours: number[], them: number[]): { best: number; median: number } {
  return {
    best: Math.min(...them) / Math.min(...ours),
    median: median(them.map((ms, i) => ms / ours[i]))
  }
}

export function formatDownloadBench(result: DownloadBench): string {
  const { runs } = result
  const mbs = (ms: number): string => `${(GIB / 1e6 / (ms / 1000)).toFixed(0)} MB/s`
  const best = (c: Contestant): string =>
    `${Math.min(...c.ms).toFixed(0)} ms (${mbs(Math.min(...c.ms))})`
  // The median of the rounds' peaks: one round's outlier (another process's pressure) aside.
  const rss = (c: Contestant): number => median(c.maxRssKb) / 1024
  const ratio = (r: { best: number; median: number }): string =>
    `${r.best.toFixed(2)}× (median ${r.median.toFixed(2)}×)`
  const cpu = (c: Contestant): string => `${Math.min(...c.cpuMs).toFixed(0)} ms`
  const versus = (name: ContestantName, target: string): string =>
    `| ours / ${name} | ${best(runs.ours)} | ${best(runs[name])} | ${ratio(speedup(runs.ours.ms, runs[name].ms))} | ${cpu(runs.ours)} / ${cpu(runs[name])} | ${target} |`
  const rssOurs = rss(runs.ours)
  const rssBare = rss(runs.bare)
  const rssSmall = rss(result.small)
  return [
    '| throughput, 1 GiB | ours | them | ratio (best) | CPU ours / them (best) | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    versus('curl-openssl', '≥ 1.0×'),
    versus('tool-cache', '≥ 0.8×'),
    versus('bare', '—'),
    '',
    '| peak RSS (median of rounds) | ours 1 GiB | ours 64 MiB | tool-cache 1 GiB | bare 1 GiB | ours / bare | 1 GiB / 64 MiB | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| | ${rssOurs.toFixed(1)} MiB | ${rssSmall.toFixed(1)} MiB | ${rss(runs['tool-cache']).toFixed(1)} MiB | ${rssBare.toFixed(1)} MiB | ${(rssOurs / rssBare).toFixed(2)}× | ${(rssOurs / rssSmall).toFixed(2)}× | ≤ 1.3×, ≤ 1.10× |`,
    '',
    `Rounds: ${result.rounds}. Node reading the body through src/net/http.ts and dropping it (the floor): ${result.readOnlyMs.toFixed(0)} ms (${mbs(result.readOnlyMs)}).`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds')
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 5
  console.log(`## Download (1 GiB from 127.0.0.1, ${rounds} rounds)\n`)
  console.log(formatDownloadBench(await benchDownload(rounds)))
}
