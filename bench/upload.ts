/**
 * Benchmark of issue 10, item 3: the artifact upload of a 200 MB SPZ at compression level 0
 * (stored) and 6 (deflate, the client's default), through src/assets/artifact.ts against the
 * simulated results service and Azurite on 127.0.0.1.
 *
 * The file is an SPZ v4 header and random bytes: upload does not verify, and an SPZ body is
 * already compressed, so deflate finds as little in it as in random bytes. Rounds alternate
 * which level goes first; the best of each is reported, with the CPU time the process spent
 * (zlib runs on libuv's pool, which counts), since this machine is shared and noisy.
 *
 * Standalone: `npx tsx bench/upload.ts [--rounds N]`.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { uploadArtifact } from '../src/assets/artifact.js'
import { startAzurite } from '../sim/azurite.js'
import { ResultsService, runnerEnv } from '../sim/results-service.js'
import { median } from './core.js'

const FILE_BYTES = 200 * 1000 * 1000
const CHUNK = 1024 * 1024
const LEVELS = [0, 6] as const

export interface UploadRow {
  level: number
  bestMs: number
  medianMs: number
  /** CPU time of this process (user + system) in the best round. */
  cpuMs: number
  zipBytes: number
}

export interface UploadBench {
  rounds: number
  fileBytes: number
  rows: UploadRow[]
}

export async function benchUpload(rounds = 3): Promise<UploadBench> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-upload-'))
  const azurite = await startAzurite({ memoryLimitMb: 4096 })
  const service = await ResultsService.start(azurite)
  const env = runnerEnv(service)
  const saved = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]))
  Object.assign(process.env, env)
  // The toolkit logs every step with core.info, straight to stdout.
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof write
  try {
    const file = path.join(folder, 'T1', 'point_cloud.spz')
    mkdirSync(path.dirname(file))
    await writeSpzLike(file)
    const samples = new Map<number, Array<{ ms: number; cpuMs: number; zipBytes: number }>>(
      LEVELS.map(level => [level, []])
    )
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? LEVELS : [...LEVELS].reverse()
      for (const level of order) {
        const cpu = process.cpuUsage()
        const started = performance.now()
        const artifact = await uploadArtifact(
          {
            name: `bench-level-${level}-round-${round}`,
            rootDirectory: folder,
            files: [file],
            compressionLevel: level
          },
          { env }
        )
        const ms = performance.now() - started
        const used = process.cpuUsage(cpu)
        samples
          .get(level)
          ?.push({ ms, cpuMs: (used.user + used.system) / 1000, zipBytes: artifact.size })
      }
    }
    const rows = LEVELS.map(level => {
      const runs = samples.get(level) ?? []
      const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a))
      return {
        level,
        bestMs: best.ms,
        medianMs: median(runs.map(run => run.ms)),
        cpuMs: best.cpuMs,
        zipBytes: best.zipBytes
      }
    })
    return { rounds, fileBytes: statSync(file).size, rows }
  } finally {
    process.stdout.write = write
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    await service.stop()
    await azurite.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}

/** An SPZ v4 header, then random bytes: as incompressible as a real SPZ's body. */
async function writeSpzLike(file: string): Promise<void> {
  function* chunks(): Generator<Buffer> {
    const header = Buffer.alloc(16)
    header.write('NGSP', 0, 'latin1')
    header.writeUInt32LE(4, 4)
    yield header
    for (let left = FILE_BYTES - header.length; left > 0; left -= CHUNK) {
      yield randomBytes(Math.min(CHUNK, left))
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file))
}

export function formatUploadBench(result: UploadBench): string {
  const [stored, deflated] = result.rows
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
  return [
    `A ${mb(result.fileBytes)} SPZ, ${result.rounds} rounds per level, best and median wall time.\n`,
    '| compression level | upload (best) | upload (median) | CPU (best round) | ZIP size |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...result.rows.map(
      row =>
        `| ${row.level} | ${s(row.bestMs)} | ${s(row.medianMs)} | ${s(row.cpuMs)} | ${mb(row.zipBytes)} |`
    ),
    '',
    `Level 6 / level 0: ${(deflated.bestMs / stored.bestMs).toFixed(2)}× the time, ${(deflated.cpuMs / stored.cpuMs).toFixed(2)}× the CPU, a ZIP of ${((deflated.zipBytes / stored.zipBytes) * 100).toFixed(2)}% the size.`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds')
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 3
  console.log('## Artifact upload (a 200 MB SPZ, levels 0 and 6)\n')
  console.log(formatUploadBench(await benchUpload(rounds)))
}
