/**
 * Measured by bench/download.ts: downloads one URL one way and prints its time and this process's
 * peak RSS as JSON. Run as plain JavaScript (transpiled), so that the TypeScript loader's own
 * memory is not counted. Time runs from the call to its return: Node's start-up is excluded.
 *
 * Modes: `ours` (the action's downloader), `tool-cache` (@actions/tool-cache's downloadTool, which neither hashes nor verifies), `bare`
 * (http.get piped into fs.createWriteStream: the memory yardstick), `read-only` (the body read
 * through src/net/http.ts and dropped: the floor that Node's HTTP client sets).
 */
import { createWriteStream } from 'node:fs'
import * as http from 'node:http'
import { pipeline } from 'node:stream/promises'
import { downloadFile } from '../src/assets/download.js'
import { sendRequest } from '../src/net/http.js'
import { realClock } from '../src/runtime.js'
import { peakRssKb } from './peak-rss.mjs'

const MODES = ['ours', 'tool-cache', 'bare', 'read-only'] as const
type Mode = (typeof MODES)[number]

const [url, destination, mode = 'ours', connectionsArg] = process.argv.slice(2) as [
  string,
  string,
  Mode,
  string | undefined
]
// `download-connections`; the action's default (4) when not given.
const connections = connectionsArg === undefined ? undefined : Number(connectionsArg)
if (!url || !destination || !MODES.includes(mode)) {
  throw new Error(`usage: download-child <url> <destination> [${MODES.join('|')}]`)
}

interface Report {
  /** When the mode times itself (to leave a module's loading out). */
  ms?: number
  bytes?: number
  sha256?: string
  /** Body bytes received over every try. */
  received?: number
}

async function ours(): Promise<Report> {
  const result = await downloadFile(
    { url, destination, label: 'bench' },
    { connections },
    {
      clock: realClock,
      log: { info: () => undefined, debug: () => undefined, warning: m => console.error(m) }
    }
  )
  return { bytes: result.bytes, sha256: result.sha256, received: result.received }
}

async function toolCache(): Promise<Report> {
  const { downloadTool } = await import('@actions/tool-cache')
  // Loaded before the clock starts: the module's start-up is not the download.
  const started = performance.now()
  await downloadTool(url, destination)
  return { ms: performance.now() - started }
}

async function bare(): Promise<Report> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http.get(url, resolve).on('error', reject)
  )
  await pipeline(response, createWriteStream(destination))
  return {}
}

async function readOnly(): Promise<Report> {
  const response = await sendRequest({ method: 'GET', url: new URL(url) })
  let bytes = 0
  response.body.on('data', (chunk: Buffer) => (bytes += chunk.length))
  await new Promise((resolve, reject) => {
    response.body.once('end', resolve)
    response.body.once('error', reject)
  })
  return { bytes }
}

const run: Record<Mode, () => Promise<Report>> = {
  ours,
  'tool-cache': toolCache,
  bare,
  'read-only': readOnly
}

const started = performance.now()
const report = await run[mode]()
const ms = performance.now() - started
const usage = process.resourceUsage()
// CPU of every thread of the process, start-up included: what the download costs the machine.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000
console.log(JSON.stringify({ ms, ...report, cpuMs, maxRssKb: peakRssKb() }))
