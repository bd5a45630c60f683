/**
 * Benchmark of issue 9, item 7: what the deep check (the gzip CRC-32 and length of SPZ v1-v3)
 * costs on a 100 MB SPZ v3 file, against the header-only check, and against zlib's own gunzip of
 * the same file with nothing else done: the floor any full check pays.
 *
 * The file is generated once, streamed to a temporary folder, and is in the page cache when timed,
 * as a file that has just been downloaded is. Rounds alternate which check goes first; the best
 * of each is reported, since this machine is shared and noisy.
 *
 * Standalone: `npx tsx bench/verify.ts [--rounds N]`.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import * as zlib from 'node:zlib'
import { verifyAsset } from '../src/assets/verify.js'
import { median } from './core.js'

/** SH degree 3: 20 bytes of position, alpha, colour, scale and rotation, and 45 of SH, per splat. */
const SPLATS = 2_300_000
const SH_DEGREE = 3
const BLOCKS = [9, 1, 3, 3, 4, 45]
const CHUNK = 1024 * 1024
/** The output chunk size src/assets/verify/gzip-check.ts gives zlib. */
const INFLATE_CHUNK = 256 * 1024

export interface VerifyBench {
  rounds: number
  fileBytes: number
  inflatedBytes: number
  headerOnlyMs: number
  deepMs: number
  /** deepMs / headerOnlyMs. */
  ratio: number
  deepMbPerS: number
  /** Best of the rounds: createReadStream → createGunzip → discard, nothing counted, same chunk sizes. */
  gunzipMs: number
  /** Median over rounds of deep / gunzip, to show the noise. */
  medianOverGunzip: number
  /** Highest RSS sampled during the deep rounds minus RSS before them. */
  peakRssGrowthMb: number
}

export async function benchVerify(rounds = 5): Promise<VerifyBench> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-verify-'))
  const file = path.join(folder, 'big.spz')
  try {
    const inflatedBytes = await writeSpz(file)
    const fileBytes = statSync(file).size
    const headerOnly: number[] = []
    const deep: number[] = []
    const gunzip: number[] = []
    const rssBefore = process.memoryUsage.rss()
    let rssPeak = rssBefore
    const time = async (run: () => Promise<unknown>): Promise<number> => {
      const started = performance.now()
      await run()
      return performance.now() - started
    }
    for (let round = 0; round < rounds; round++) {
      const shallow = async (): Promise<void> => {
        headerOnly.push(await time(() => verifyAsset(file, 'spz', { deep: false })))
      }
      if (round % 2 === 0) await shallow()
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 5)
      deep.push(await time(() => verifyAsset(file, 'spz', { deep: true })))
      clearInterval(sampler)
      if (round % 2 === 1) await shallow()
      gunzip.push(await time(() => bareGunzip(file)))
    }
    const peakRssGrowthMb = (rssPeak - rssBefore) / 2 ** 20
    const headerOnlyMs = Math.min(...headerOnly)
    const deepMs = Math.min(...deep)
    return {
      rounds,
      fileBytes,
      inflatedBytes,
      headerOnlyMs,
      deepMs,
      ratio: deepMs / headerOnlyMs,
      deepMbPerS: fileBytes / 1e6 / (deepMs / 1000),
      gunzipMs: Math.min(...gunzip),
      medianOverGunzip: median(deep.map((ms, i) => ms / gunzip[i])),
      peakRssGrowthMb
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** A valid SPZ v3 at SH degree 3 whose bytes compress about as well as a real one's (about 1.5:1). */
async function writeSpz(file: string): Promise<number> {
  const header = Buffer.alloc(16)
  header.write('NGSP', 0, 'latin1')
  header.writeUInt32LE(3, 4)
  header.writeUInt32LE(SPLATS, 8)
  header.set([SH_DEGREE, 12, 0, 0], 12)
  let inflated = header.length
  let seed = 0x9e3779b9
  function* chunks(): Generator<Buffer> {
    yield header
    for (const [index, perSplat] of BLOCKS.entries()) {
      const sh = index === BLOCKS.length - 1
      for (let left = SPLATS * perSplat; left > 0; left -= CHUNK) {
        const chunk = Buffer.alloc(Math.min(CHUNK, left))
        for (let i = 0; i < chunk.length; i++) {
          seed ^= seed << 13
          seed ^= seed >>> 17
          seed ^= seed << 5
          // Quantised SH sits near 128 with a small spread; the other attributes look random.
          chunk[i] = sh ? 120 + (seed & 0xf) : seed & 0xff
        }
        inflated += chunk.length
        yield chunk
      }
    }
  }
  await pipeline(Readable.from(chunks()), zlib.createGzip(), createWriteStream(file))
  return inflated
}

async function bareGunzip(file: string): Promise<void> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() })
  await pipeline(
    createReadStream(file, { highWaterMark: CHUNK }),
    zlib.createGunzip({ chunkSize: INFLATE_CHUNK }),
    discard
  )
}

export function formatVerifyBench(result: VerifyBench): string {
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
  return [
    '| SPZ v3 file (inflated) | header-only (best) | deep (best) | deep / header-only | deep throughput | bare gunzip floor | deep / gunzip (median) | peak RSS growth |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${mb(result.fileBytes)} (${mb(result.inflatedBytes)}) | ${result.headerOnlyMs.toFixed(1)} ms | ${result.deepMs.toFixed(0)} ms | ${result.ratio.toFixed(0)}× | ${result.deepMbPerS.toFixed(0)} MB/s | ${result.gunzipMs.toFixed(0)} ms | ${result.medianOverGunzip.toFixed(2)}× | ${result.peakRssGrowthMb.toFixed(1)} MB |`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds')
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 5
  console.log(`## Deep verification (a 100 MB SPZ v3, ${rounds} rounds)\n`)
  console.log(formatVerifyBench(await benchVerify(rounds)))
}
