// Preloaded into the measured process: on exit, writes its CPU time and peak RSS to a file.
import { writeFileSync } from 'node:fs'
import { peakRssKb } from './peak-rss.mjs'

const file = process.env.BENCH_USAGE_FILE
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(
      file,
      JSON.stringify({
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
        maxRssKb: peakRssKb()
      })
    )
  })
}
