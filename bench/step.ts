/**
 * Benchmark of issue 16, point 3: what users wait for, the whole step. A 1 GiB PLY (a real
 * header over zeroed splats, which the verifier accepts) from a loopback server, timed from the
 * step's first request for the file to the process's exit, against
 * - `curl -o FILE && openssl dgst -sha256 FILE` (two passes), and
 * - @actions/tool-cache's `downloadTool` in a process of its own (from its start to its exit;
 *   it neither hashes nor verifies).
 * The step is the bundle (dist/index.js) run as the runner runs it, with `download: ply`, so it
 * also verifies the file and writes its outputs and summary. Needs `npm run build` first.
 *
 * Standalone: `npx tsx bench/step.ts [--rounds N]`.
 */
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
  ftruncateSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { runAction } from '../sim/runner.js'
import { median } from './core.js'
import { runChild, timeCurlOpenssl, transpileChild } from './download.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const GIB = 1024 * 1024 * 1024

export interface StepBench {
  rounds: number
  bytes: number
  stepMs: number[]
  curlOpensslMs: number[]
  toolCacheMs: number[]
}

/** A PLY of about `bytes`: the header of a real 3DGS file with its vertex count raised. */
function writeBigPly(file: string, bytes: number): number {
  const fixture = readFileSync(path.join(ROOT, '__fixtures__/splats/ply/input_1k_sh0.ply'))
  const end = fixture.indexOf('end_header\n') + 'end_header\n'.length
  const header = fixture.subarray(0, end).toString('latin1')
  const stride = (fixture.length - end) / 1000
  const count = Math.floor((bytes - end) / stride)
  const bigHeader = header.replace(/element vertex \d+/, `element vertex ${count}`)
  const fd = openSync(file, 'w')
  writeSync(fd, bigHeader, 0, 'latin1')
  ftruncateSync(fd, Buffer.byteLength(bigHeader, 'latin1') + count * stride)
  closeSync(fd)
  return Buffer.byteLength(bigHeader, 'latin1') + count * stride
}

export async function benchStep(rounds = 3): Promise<StepBench> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-step-'))
  const source = path.join(folder, 'big.ply')
  const size = writeBigPly(source, GIB)
  const sim = await startAholoSim()
  sim.addTask('T1', { timeline: [3], formats: ['ply'] })
  const assetPath = sim.assetPath('T1', 'ply')
  sim.addAsset(assetPath, { kind: 'file', path: source })
  const childScript = transpileChild()
  const result: StepBench = { rounds, bytes: size, stepMs: [], curlOpensslMs: [], toolCacheMs: [] }
  const target = path.join(folder, 'copy.ply')
  try {
    for (let round = 0; round < rounds; round++) {
      const before = sim.requests.length
      const run = await runAction({
        inputs: {
          'task-ids': 'T1',
          'app-key': DEFAULT_CREDENTIALS.appKey,
          'app-secret': DEFAULT_CREDENTIALS.appSecret,
          'app-uid': DEFAULT_CREDENTIALS.appUid,
          'api-url': sim.url,
          'poll-interval': '1s',
          download: 'ply',
          cache: 'false',
          'download-connections': process.env.STEP_CONNECTIONS ?? '4'
        }
      })
      const exitedAt = Date.now()
      if (run.exitCode !== 0) throw new Error(`the step failed: ${run.stdout.slice(-2000)}`)
      const first = sim.requests.slice(before).find(request => request.path === assetPath)
      if (!first) throw new Error('the step never asked for the file')
      result.stepMs.push(exitedAt - first.at)
      rmSync(run.workspace, { recursive: true, force: true })

      const curl = await timeCurlOpenssl(sim.assetUrl('T1', 'ply'), target)
      result.curlOpensslMs.push(curl.ms)
      rmSync(target, { force: true })

      const started = performance.now()
      await runChild(childScript, [sim.assetUrl('T1', 'ply'), target, 'tool-cache'])
      result.toolCacheMs.push(performance.now() - started)
      rmSync(target, { force: true })
    }
  } finally {
    await sim.close()
    rmSync(folder, { recursive: true, force: true })
    rmSync(path.dirname(path.dirname(childScript)), { recursive: true, force: true })
  }
  return result
}

export function formatStepBench(r: StepBench): string {
  const best = (ms: number[]): number => Math.min(...ms)
  const ratio = (them: number[]): string =>
    `${(best(them) / best(r.stepMs)).toFixed(2)}× (median ${(median(them) / median(r.stepMs)).toFixed(2)}×)`
  const s = (ms: number[]): string =>
    `${(best(ms) / 1000).toFixed(2)} s best, ${(median(ms) / 1000).toFixed(2)} s median`
  return [
    `Whole step, ${(r.bytes / GIB).toFixed(2)} GiB PLY from loopback, ${r.rounds} rounds`,
    `  the step (first request for the file → exit): ${s(r.stepMs)}`,
    `  curl -o + openssl dgst -sha256: ${s(r.curlOpensslMs)}; ours is ${ratio(r.curlOpensslMs)} as fast (target ≥ 1.0×)`,
    `  tool-cache downloadTool (process start → exit): ${s(r.toolCacheMs)}; ours is ${ratio(r.toolCacheMs)} as fast (target ≥ 0.8×)`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const roundsArg = process.argv.indexOf('--rounds')
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3
  console.log(formatStepBench(await benchStep(rounds)))
}
