/**
 * Measured by bench/download.ts: downloads one URL with the action's downloader and prints its
 * time and this process's peak RSS as JSON. Run as plain JavaScript (transpiled), so that the
 * TypeScript loader's own memory is not counted. With `--read-only` it only reads the body
 * through the same HTTP path and drops it: the floor that Node's HTTP client sets.
 */
import { downloadFile } from '../src/assets/download.js'
import { sendRequest } from '../src/net/http.js'
import { sleep } from '../src/sleep.js'

const [url, destination, mode] = process.argv.slice(2)
if (!url || !destination) throw new Error('usage: download-child <url> <destination> [--read-only]')

async function readOnly(): Promise<{ ms: number; bytes: number; sha256: string }> {
  const started = performance.now()
  const response = await sendRequest({ method: 'GET', url: new URL(url) })
  let bytes = 0
  response.body.on('data', (chunk: Buffer) => (bytes += chunk.length))
  await new Promise((resolve, reject) => {
    response.body.once('end', resolve)
    response.body.once('error', reject)
  })
  return { ms: performance.now() - started, bytes, sha256: '' }
}

const result =
  mode === '--read-only'
    ? await readOnly()
    : await downloadFile(
        { url, destination, label: 'bench' },
        {},
        {
          now: () => performance.now(),
          sleep,
          random: Math.random,
          log: {
            info: () => undefined,
            debug: () => undefined,
            warning: message => console.error(message)
          }
        }
      )
console.log(
  JSON.stringify({
    ms: result.ms,
    bytes: result.bytes,
    sha256: result.sha256,
    maxRssKb: process.resourceUsage().maxRSS
  })
)
