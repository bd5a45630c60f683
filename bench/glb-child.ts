/** One round of bench/glb.ts in a fresh process: prints its figures as JSON. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { verifyAsset } from '../src/assets/verify.js'
import { peakRssKb } from './peak-rss.mjs'

const [file, order] = process.argv.slice(2)

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const value = await run()
  return [value, performance.now() - started]
}

async function sha256(): Promise<void> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash)
  hash.digest('hex')
}

const [, importMs] = await timed(() => import('gltf-validator'))
const rssBeforeKb = process.memoryUsage.rss() / 1024
let sha256Ms = 0
if (order === 'sha-first') sha256Ms = (await timed(sha256))[1]
const [info, verifyMs] = await timed(() => verifyAsset(file, 'glb'))
if (order !== 'sha-first') sha256Ms = (await timed(sha256))[1]
console.log(
  JSON.stringify({
    importMs,
    verifyMs,
    sha256Ms,
    triangles: info.triangles,
    rssBeforeKb,
    peakKb: peakRssKb()
  })
)
