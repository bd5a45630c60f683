/**
 * Benchmark of issue 4: a 1 GiB download from a loopback server by the action's downloader,
 * against `curl -o FILE` from the same server to the same disk in the same run, and the
 * downloader's peak RSS at 1 GiB against 64 MiB (memory must not grow with the file).
 *
 * The downloader runs in a child process of plain Node on a transpiled copy of src/ (tsx's
 * loader alone adds about 50 MB of RSS). Rounds alternate which of the two goes first; this
 * machine is shared and noisy, so the ratio uses the best time of each side.
 *
 * Standalone: `npx tsx bench/download.ts [--rounds N]`.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { generatedSha256, startAholoSim } from '../sim/open-platform.js'
import { median } from './core.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const GIB = 1024 * 1024 * 1024
const SMALL = 64 * 1024 * 1024

export interface DownloadBench {
  rounds: number
  /** Best of the rounds, whole curl process. */
  curlMs: number
  /** Best of the rounds, downloadFile from call to return (Node's start-up excluded). */
  actionMs: number
  /** Best of the rounds: Node reading the body through src/http.ts and dropping it. */
  readOnlyMs: number
  /** curl's time over ours: 1 means as fast as curl. */
  ratio: number
  /** Median over rounds of the per-round ratio, to show the noise. */
  medianRatio: number
  curlMbPerS: number
  actionMbPerS: number
  peakRssMbAt1GiB: number
  peakRssMbAt64MiB: number
  /** peakRssMbAt1GiB / peakRssMbAt64MiB - 1. */
  rssGrowth: number
}

interface ChildReport {
  ms: number
  bytes: number
  sha256: string
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
  const curl: number[] = []
  const action: ChildReport[] = []
  const small: ChildReport[] = []
  const readOnly: number[] = []
  try {
    const runAction = async (url: string, bytes: number): Promise<ChildReport> => {
      settleDisk()
      const report = await runChild(childScript, [url, target])
      rmSync(target, { force: true })
      if (report.bytes !== bytes || report.sha256 !== expected[bytes]) {
        throw new Error(`the downloader returned ${report.bytes} bytes, sha256 ${report.sha256}`)
      }
      return report
    }
    const runCurl = async (): Promise<number> => {
      settleDisk()
      const ms = await timeCurl(`${sim.url}/big.bin`, target)
      rmSync(target, { force: true })
      return ms
    }
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        curl.push(await runCurl())
        action.push(await runAction(`${sim.url}/big.bin`, GIB))
      } else {
        action.push(await runAction(`${sim.url}/big.bin`, GIB))
        curl.push(await runCurl())
      }
      small.push(await runAction(`${sim.url}/small.bin`, SMALL))
      readOnly.push((await runChild(childScript, [`${sim.url}/big.bin`, target, '--read-only'])).ms)
    }
  } finally {
    await sim.close()
    rmSync(folder, { recursive: true, force: true })
    rmSync(path.dirname(path.dirname(childScript)), { recursive: true, force: true })
  }

  const curlMs = Math.min(...curl)
  const actionMs = Math.min(...action.map(report => report.ms))
  const peakRssMbAt1GiB = Math.max(...action.map(report => report.maxRssKb)) / 1024
  const peakRssMbAt64MiB = Math.max(...small.map(report => report.maxRssKb)) / 1024
  return {
    rounds,
    curlMs,
    actionMs,
    readOnlyMs: Math.min(...readOnly),
    ratio: curlMs / actionMs,
    medianRatio: median(curl.map((ms, i) => ms / action[i].ms)),
    curlMbPerS: GIB / 1e6 / (curlMs / 1000),
    actionMbPerS: GIB / 1e6 / (actionMs / 1000),
    peakRssMbAt1GiB,
    peakRssMbAt64MiB,
    rssGrowth: peakRssMbAt1GiB / peakRssMbAt64MiB - 1
  }
}

/** Transpiles src/ and the child script into node_modules/.cache, where bare imports resolve. */
function transpileChild(): string {
  const out = path.join(ROOT, 'node_modules', '.cache', 'aholo-bench-download')
  rmSync(out, { recursive: true, force: true })
  const sources = [...listTs(path.join(ROOT, 'src')), path.join(ROOT, 'bench', 'download-child.ts')]
  for (const source of sources) {
    const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: source
    })
    const destination = path.join(out, path.relative(ROOT, source)).replace(/\.ts$/, '.js')
    mkdirSync(path.dirname(destination), { recursive: true })
    writeFileSync(destination, outputText)
  }
  // node_modules ends the search for a package scope: say ESM here.
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n')
  return path.join(out, 'bench', 'download-child.js')
}

function listTs(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) return listTs(full)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : []
  })
}

/** Writes back what the last run left dirty, so that neither side pays for the other's file. */
function settleDisk(): void {
  execFileSync('sync')
}

function runChild(script: string, args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', code => {
      if (code !== 0) return reject(new Error(`the download child exited ${code}: ${output}`))
      resolve(JSON.parse(output) as ChildReport)
    })
  })
}

function timeCurl(url: string, destination: string): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['--silent', '--show-error', '--fail', '-o', destination, url], {
      stdio: ['ignore', 'ignore', 'inherit']
    })
    child.on('error', reject)
    child.on('close', code =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`curl exited ${code}`))
    )
  })
}

export function formatDownloadBench(result: DownloadBench): string {
  const mb = (value: number): string => `${value.toFixed(1)} MB`
  return [
    '| curl 1 GiB | action 1 GiB | ratio (best) | ratio (median) | target | Node read-only floor | peak RSS 1 GiB | peak RSS 64 MiB | growth | target |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${result.curlMs.toFixed(0)} ms (${result.curlMbPerS.toFixed(0)} MB/s) | ${result.actionMs.toFixed(0)} ms (${result.actionMbPerS.toFixed(0)} MB/s) | ${result.ratio.toFixed(2)}× | ${result.medianRatio.toFixed(2)}× | ≥ 0.8× | ${result.readOnlyMs.toFixed(0)} ms (${(result.curlMs / result.readOnlyMs).toFixed(2)}×) | ${mb(result.peakRssMbAt1GiB)} | ${mb(result.peakRssMbAt64MiB)} | ${(result.rssGrowth * 100).toFixed(1)}% | ≤ 100 MB, ≤ 10% |`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds')
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 5
  console.log(`## Download (1 GiB from 127.0.0.1, ${rounds} rounds)\n`)
  console.log(formatDownloadBench(await benchDownload(rounds)))
}
