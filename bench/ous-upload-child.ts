/**
 * Measured by bench/ous-upload.ts: sends a list of files one way and prints its time, CPU and this
 * process's peak RSS as JSON. Run as plain JavaScript (transpiled), so that the TypeScript
 * loader's own memory is not counted. Time runs from the call to its return.
 *
 * Modes: `ours` (src/upload: token, MD5, single or block upload, status, per file), `bare`
 * (http.request streaming each file whole, one after another, to the same service: the time and
 * memory yardstick).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs'
import * as http from 'node:http'
import { pipeline } from 'node:stream/promises'
import { realClock } from '../src/runtime.js'
import { uploadFiles } from '../src/upload/index.js'
import { peakRssKb } from './peak-rss.mjs'

const [mode, url, listFile, apiKey = ''] = process.argv.slice(2)
const files = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ path: string; name: string }>

async function ours(): Promise<string[]> {
  const results = await uploadFiles(files, {
    apiKey,
    region: 'cn',
    apiUrl: new URL(url),
    clock: realClock,
    signal: new AbortController().signal,
    deadline: realClock.now() + 600_000,
    log: {
      info: m => void (process.env.BENCH_LOG && console.error(Math.round(performance.now()), m)),
      debug: () => undefined,
      warning: m => console.error(m)
    }
  })
  return results.map(result => result.md5)
}

async function bare(): Promise<string[]> {
  const md5s: string[] = []
  for (const file of files) {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(url, {
        method: 'POST',
        headers: { 'Content-Length': statSync(file.path).size }
      })
      request.on('response', resolve).on('error', reject)
      pipeline(createReadStream(file.path), request).catch(reject)
    })
    let text = ''
    for await (const chunk of response) text += String(chunk)
    md5s.push((JSON.parse(text) as { d: string }).d)
  }
  return md5s
}

const started = performance.now()
const md5s = await (mode === 'bare' ? bare() : ours())
const ms = performance.now() - started
const usage = process.resourceUsage()
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000
console.log(JSON.stringify({ ms, cpuMs, maxRssKb: peakRssKb(), md5s }))
