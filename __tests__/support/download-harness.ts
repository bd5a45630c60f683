/** What the download tests share: deps that record the log and never wait, and sha256sum. */
import { execFileSync } from 'node:child_process'
import type { DownloadDeps } from '../../src/assets/download.js'
import { realClock } from '../../src/runtime.js'

export const MiB = 1024 * 1024

/** Real time, but retries do not sleep; every line logged, as `level: message`. */
export function downloadHarness(): { lines: string[]; deps: DownloadDeps } {
  const lines: string[] = []
  const deps: DownloadDeps = {
    clock: { ...realClock, sleep: async () => undefined, random: () => 0.5 },
    log: {
      info: message => lines.push(`info: ${message}`),
      debug: message => lines.push(`debug: ${message}`),
      warning: message => lines.push(`warning: ${message}`)
    }
  }
  return { lines, deps }
}

/** The digest as coreutils computes it, from the file on disk. */
export function sha256sum(file: string): string {
  return execFileSync('sha256sum', [file]).toString().split(' ')[0]
}
