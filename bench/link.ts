/**
 * Benchmarks of issue 16 over the link emulator (sim/link.ts), in one run:
 * - capped link: 256 MiB over a link that caps each connection at 8 MB/s with 40 ms added
 *   latency; ours with 1, 2, 4 and 8 connections against `curl` (one connection) and
 *   `aria2c -x4 -s4` (Debian's aria2, the anchor);
 * - drops: the same file over the same link, every connection dropped after 64 MiB; the bytes
 *   the server sent for ours (4 connections), `curl --retry` and tool-cache's `downloadTool`.
 *
 * Ours runs in a child of plain Node (bench/download.ts's transpiled copy of src/). Every
 * digest is checked. Standalone: `npx tsx bench/link.ts [--quick]` (--quick: 64 MiB).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type LinkSettings, LinkSim } from '../sim/link.js'
import { runChild, runProcess, transpileChild } from './download.js'

const MiB = 1024 * 1024

export interface LinkRun {
  name: string
  ms: number
  /** Body bytes the server sent. */
  sent: number
  ok: boolean
}

export interface LinkBench {
  fileBytes: number
  capped: LinkRun[]
  drops: LinkRun[]
}

export async function benchLink(fileBytes = 256 * MiB): Promise<LinkBench> {
  const child = transpileChild()
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-link-'))
  const target = path.join(folder, 'file.bin')
  const link: LinkSettings = { bytesPerSecond: 8e6, latencyMs: 40 }
  const drops: LinkSettings = { ...link, drop: { after: 64 * MiB, mode: 'link' } }
  try {
    const one = async (
      name: string,
      settings: LinkSettings,
      run: (url: string) => Promise<boolean>
    ) => {
      const sim = await new LinkSim({ generated: fileBytes }, settings).start()
      const expected = sim.sha256()
      const began = performance.now()
      let ok = await run(sim.url).catch(() => false)
      const ms = performance.now() - began
      if (ok) ok = (await sha256Of(target)) === expected
      const sent = sim.bytesSent
      await sim.close()
      rmSync(target, { force: true })
      return { name, ms, sent, ok }
    }
    const ours = (connections: number) => async (url: string) => {
      const report = await runChild(child, [url, target, 'ours', String(connections)])
      return report.bytes === fileBytes
    }
    const curl = (extra: string[]) => async (url: string) => {
      await runProcess('curl', ['--silent', '--show-error', '--fail', ...extra, '-o', target, url])
      return true
    }
    const aria2 = async (url: string) => {
      await runProcess('aria2c', [
        '-x4',
        '-s4',
        '--quiet=true',
        '--allow-overwrite=true',
        '--auto-file-renaming=false',
        '--file-allocation=none',
        '-d',
        folder,
        '-o',
        path.basename(target),
        url
      ])
      return true
    }
    const toolCache = async (url: string) => {
      const report = await runChild(child, [url, target, 'tool-cache'])
      return report.ms > 0
    }
    const capped: LinkRun[] = []
    for (const connections of [1, 2, 4, 8]) {
      capped.push(
        await one(
          `ours, ${connections} connection${connections > 1 ? 's' : ''}`,
          link,
          ours(connections)
        )
      )
    }
    capped.push(await one('curl (one connection)', link, curl([])))
    capped.push(await one('aria2c -x4 -s4', link, aria2))
    const dropped: LinkRun[] = [
      await one('ours, 4 connections', drops, ours(4)),
      await one('ours, 1 connection', drops, ours(1)),
      await one(
        'curl --retry 5 --retry-all-errors',
        drops,
        curl(['--retry', '5', '--retry-all-errors', '--retry-delay', '1'])
      ),
      await one('tool-cache downloadTool', drops, toolCache)
    ]
    return { fileBytes, capped, drops: dropped }
  } finally {
    rmSync(folder, { recursive: true, force: true })
    rmSync(path.dirname(path.dirname(child)), { recursive: true, force: true })
  }
}

async function sha256Of(file: string): Promise<string> {
  const printed = await new Promise<string>((resolve, reject) => {
    const process = spawn('sha256sum', [file], { stdio: ['ignore', 'pipe', 'ignore'] })
    let output = ''
    process.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    process.on('error', reject)
    process.on('close', () => resolve(output))
  })
  return printed.split(' ')[0]
}

export function formatLinkBench(result: LinkBench): string {
  const find = (runs: LinkRun[], name: string): LinkRun =>
    runs.find(run => run.name === name) as LinkRun
  const curl = find(result.capped, 'curl (one connection)')
  const aria = find(result.capped, 'aria2c -x4 -s4')
  const four = find(result.capped, 'ours, 4 connections')
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
  const lines = [
    `${(result.fileBytes / MiB).toFixed(0)} MiB, each connection capped at 8 MB/s, 40 ms added latency.`,
    '',
    '| contestant | time | speed-up over curl | time / aria2c | digest |',
    '| --- | ---: | ---: | ---: | --- |',
    ...result.capped.map(
      run =>
        `| ${run.name} | ${s(run.ms)} | ${(curl.ms / run.ms).toFixed(2)}× | ${(run.ms / aria.ms).toFixed(2)}× | ${run.ok ? '✓' : '✗'} |`
    ),
    '',
    `Ours with 4 connections: ${(curl.ms / four.ms).toFixed(2)}× curl (target ≥ 3.2×), ${(four.ms / aria.ms).toFixed(2)}× aria2c's time (target ≤ 1.15×).`,
    '',
    'Drops: the same file and link, a connection cut each time the link has carried 64 MiB more.',
    '',
    '| contestant | time | bytes sent / file | finished, digest |',
    '| --- | ---: | ---: | --- |',
    ...result.drops.map(
      run =>
        `| ${run.name} | ${s(run.ms)} | ${(run.sent / result.fileBytes).toFixed(3)}× | ${run.ok ? '✓' : '✗ (gave up)'} |`
    ),
    '',
    'Target: ours ≤ 1.05× the file.'
  ]
  return lines.join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick')
  console.log(formatLinkBench(await benchLink(quick ? 64 * MiB : 256 * MiB)))
}
