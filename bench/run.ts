/** `npm run bench`: every benchmark, printed as Markdown tables for BENCHMARKS.md. */
import { benchColdStart, benchScale } from './core.js'
import { benchDownload, formatDownloadBench } from './download.js'
import { benchVerify, formatVerifyBench } from './verify.js'

const quick = process.argv.includes('--quick')

console.log('## Cold start (one finished task, no downloads)\n')
const cold = await benchColdStart(quick ? 5 : 15)
console.log('| `node -e 0` (median) | bundle (median) | ratio | target |')
console.log('| ---: | ---: | ---: | ---: |')
console.log(
  `| ${cold.bareNodeMs.toFixed(0)} ms | ${cold.bundleMs.toFixed(0)} ms | ${cold.ratio.toFixed(2)}× | ≤ 3× |`
)

console.log('\n## Scale (20 rounds against the simulated service)\n')
console.log(
  '| task ids | requests per round (expected ⌈N/50⌉) | rounds | CPU time | CPU per round | peak RSS | target RSS |'
)
console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: |')
for (const tasks of [1, 100, 1000, 5000]) {
  const row = await benchScale(tasks)
  const uniform = row.requestsPerRound.every(count => count === row.expectedPerRound)
  console.log(
    `| ${tasks} | ${uniform ? `${row.expectedPerRound} every round ✓` : `${row.requestsPerRound.join(',')} ✗ (expected ${row.expectedPerRound})`} | ${row.rounds} | ${row.cpuMs.toFixed(0)} ms | ${(row.cpuMs / row.rounds).toFixed(1)} ms | ${row.peakRssMb.toFixed(1)} MB | ≤ 100 MB at 5000 |`
  )
}

console.log(await (await import('./world.js')).worldBenchSection(quick))
console.log('\n## Download (1 GiB from 127.0.0.1)\n')
console.log(formatDownloadBench(await benchDownload(quick ? 3 : 5)))

console.log('\n## The whole step on 1 GiB from 127.0.0.1 (first request for the file to exit)\n')
const step = await import('./step.js')
console.log(step.formatStepBench(await step.benchStep(quick ? 2 : 3)))

console.log('\n## Downloads over a capped, dropping link (256 MiB)\n')
const link = await import('./link.js')
console.log(
  link.formatLinkBench(await link.benchLink(quick ? 64 * 1024 * 1024 : 256 * 1024 * 1024))
)

console.log('\n## Deep verification (a 100 MB SPZ v3)\n')
console.log(formatVerifyBench(await benchVerify(quick ? 3 : 5)))

console.log('\n## GLB verification (a 76 MB GLB of 1 M triangles)\n')
const glb = await import('./glb.js')
console.log(glb.formatGlbBench(await glb.benchGlb(quick ? 1 : 3)))

console.log('\n## Artifact upload (a 200 MB SPZ at compression levels 0 and 6)\n')
const upload = await import('./upload.js')
console.log(upload.formatUploadBench(await upload.benchUpload(quick ? 1 : 3)))

console.log('\n## Uploads (25 photos of 4 MB and a 300 MB video, to the simulated service)\n')
const ousUpload = await import('./ous-upload.js')
console.log(ousUpload.formatOusUploadBench(await ousUpload.benchOusUpload(quick ? 1 : 3)))

// About 9 minutes in full (two variants of four tasks 60 s apart); --quick scales it down.
console.log('\n## Downloads as tasks succeed (4 tasks 60 s apart, 100 MB each)\n')
const overlap = await import('./overlap.js')
console.log(
  overlap.formatOverlapBench(
    await overlap.benchOverlap(
      quick
        ? { gapMs: 6_000, fileBytes: 20e6, rate: 10e6 }
        : { gapMs: 60_000, fileBytes: 100e6, rate: 10e6 }
    )
  )
)
