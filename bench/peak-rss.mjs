// The process's own peak RSS in KiB. Not process.resourceUsage().maxRSS: on Linux that survives
// exec, so a child reports at least its parent's peak at fork time, and every contestant spawned
// by a large benchmark process shows the same figure. VmHWM belongs to the new address space.
import { readFileSync } from 'node:fs'

export function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (match) return Number(match[1])
  } catch {
    // Not Linux: fall back below.
  }
  return process.resourceUsage().maxRSS
}
