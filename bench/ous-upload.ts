/**
 * Benchmark of issue 15: 25 photos of 4 MB and one 300 MB video through src/upload to the
 * simulated upload service (sim/uploads.ts, 5 MiB blocks), against a plain Node http.request
 * streaming each file to the same service; and the peak RSS of ours with a 30 MB and a 300 MB
 * video, against the plain one with 300 MB.
 *
 * The service takes at most `rate` bytes per second, all connections together (a runner's link
 * to the vendor, not loopback): what is compared is the protocol's cost (a token and the MD5
 * pass per file, blocks, status polls), not who hashes faster on a shared machine. A run with no
 * limit is shown beside it, for what it costs on loopback. Both sides run in child processes of
 * plain Node on a transpiled copy of src/; rounds alternate who goes first; ratios use the best
 * time of each side, with the median of the per-round ratios beside them.
 *
 * Standalone: `npx tsx bench/ous-upload.ts [--rounds N] [--rate BYTES_PER_SECOND]`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_UPLOAD_KEY, UploadSim } from '../sim/uploads.js'
import { median } from './core.js'
import { type ChildReport, runChild, transpileChild } from './download.js'

const PHOTOS = 25
const PHOTO_BYTES = 4_000_000
const VIDEO_BYTES = 300_000_000
const SMALL_VIDEO_BYTES = 30_000_000

interface Report extends ChildReport {
  md5s: string[]
}

export interface OusUploadBench {
  rounds: number
  rate: number
  ours: Report[]
  bare: Report[]
  /** One round each with no bandwidth limit. */
  unlimited: { ours: Report; bare: Report }
  small: Report[]
}

export async function benchOusUpload(rounds = 3, rate = 40e6): Promise<OusUploadBench> {
  const child = transpileChild('ous-upload-child')
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-ous-'))
  const write = (name: string, bytes: number): { path: string; name: string; md5: string } => {
    const where = path.join(folder, name)
    const hash = createHash('md5')
    const fd = openSync(where, 'w')
    for (let left = bytes; left > 0;) {
      const chunk = randomBytes(Math.min(left, 8 * 1024 * 1024))
      hash.update(chunk)
      writeSync(fd, chunk)
      left -= chunk.length
    }
    closeSync(fd)
    return { path: where, name, md5: hash.digest('hex') }
  }
  const photos = Array.from({ length: PHOTOS }, (_, i) => write(`photo-${i}.jpg`, PHOTO_BYTES))
  const big = [...photos, write('video.mp4', VIDEO_BYTES)]
  const small = [...photos, write('short.mp4', SMALL_VIDEO_BYTES)]
  const list = (files: typeof big): string => {
    const where = path.join(folder, `list-${files.length}-${files.at(-1)?.name}.json`)
    writeFileSync(where, JSON.stringify(files.map(({ path: p, name }) => ({ path: p, name }))))
    return where
  }
  const bigList = list(big)
  const smallList = list(small)
  const limited = await new UploadSim({ bytesPerSecond: rate }).start()
  const open = await new UploadSim().start()
  const run = async (
    sim: UploadSim,
    mode: 'ours' | 'bare',
    files: typeof big,
    listFile: string
  ): Promise<Report> => {
    // Each run starts from an empty service: nothing deduplicated.
    sim.stored.clear()
    const url = mode === 'ours' ? sim.gatewayUrl : `${sim.ousUrl}/bench/stream`
    const report = (await runChild(child, [mode, url, listFile, DEFAULT_UPLOAD_KEY])) as Report
    if (report.md5s.join() !== files.map(file => file.md5).join()) {
      throw new Error(`${mode}: the service got other bytes than the files`)
    }
    return report
  }
  const result: OusUploadBench = {
    rounds,
    rate,
    ours: [],
    bare: [],
    small: [],
    unlimited: {} as OusUploadBench['unlimited']
  }
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const)
      for (const mode of order) result[mode].push(await run(limited, mode, big, bigList))
      result.small.push(await run(limited, 'ours', small, smallList))
    }
    result.unlimited = {
      ours: await run(open, 'ours', big, bigList),
      bare: await run(open, 'bare', big, bigList)
    }
  } finally {
    await limited.close()
    await open.close()
    rmSync(folder, { recursive: true, force: true })
    rmSync(path.dirname(path.dirname(child)), { recursive: true, force: true })
  }
  return result
}

export function formatOusUploadBench(result: OusUploadBench): string {
  const best = (reports: Report[]): number => Math.min(...reports.map(r => r.ms))
  const rss = (reports: Report[]): number => median(reports.map(r => r.maxRssKb)) / 1024
  const perRound = median(result.ours.map((r, i) => r.ms / result.bare[i].ms))
  const time = best(result.ours) / best(result.bare)
  const { unlimited } = result
  const total = (PHOTOS * PHOTO_BYTES + VIDEO_BYTES) / 1e6
  return [
    `| ${PHOTOS} × 4 MB + 300 MB (${total} MB) at ${result.rate / 1e6} MB/s | ours | plain http.request | ratio (best) | CPU ours / plain (best) | target |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| time | ${best(result.ours).toFixed(0)} ms | ${best(result.bare).toFixed(0)} ms | ${time.toFixed(2)}× (median ${perRound.toFixed(2)}×) | ${Math.min(...result.ours.map(r => r.cpuMs)).toFixed(0)} / ${Math.min(...result.bare.map(r => r.cpuMs)).toFixed(0)} ms | ≤ 1.15× |`,
    `| time, no bandwidth limit (one round, loopback) | ${unlimited.ours.ms.toFixed(0)} ms | ${unlimited.bare.ms.toFixed(0)} ms | ${(unlimited.ours.ms / unlimited.bare.ms).toFixed(2)}× | ${unlimited.ours.cpuMs.toFixed(0)} / ${unlimited.bare.cpuMs.toFixed(0)} ms | — |`,
    '',
    '| peak RSS (median of rounds) | ours, 300 MB video | ours, 30 MB video | plain, 300 MB video | 300 MB / 30 MB | ours / plain | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| | ${rss(result.ours).toFixed(1)} MiB | ${rss(result.small).toFixed(1)} MiB | ${rss(result.bare).toFixed(1)} MiB | ${(rss(result.ours) / rss(result.small)).toFixed(2)}× | ${(rss(result.ours) / rss(result.bare)).toFixed(2)}× | ≤ 1.10×, ≤ 1.3× |`,
    '',
    `Rounds: ${result.rounds}; blocks of 5 MiB (the video in 58), photos in one request each.`
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds')
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 3
  const rateAt = process.argv.indexOf('--rate')
  const rate = rateAt > 0 ? Number(process.argv[rateAt + 1]) : undefined
  console.log('## Uploads (25 photos of 4 MB and a 300 MB video, to the simulated service)\n')
  console.log(formatOusUploadBench(await benchOusUpload(rounds, rate)))
}
