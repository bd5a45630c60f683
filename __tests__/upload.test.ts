import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { CancelledError } from '../src/errors.js'
import { type Clock, realClock } from '../src/runtime.js'
import {
  md5File,
  type UploadContext,
  UploadAuthError,
  UploadError,
  uploadFiles
} from '../src/upload/index.js'
import { DEFAULT_UPLOAD_KEY, md5Of, UploadSim } from '../sim/uploads.js'

const MiB = 1024 * 1024
const BLOCK = MiB

let sim: UploadSim
let folder: string
let lines: string[]
let retries: string[]

beforeEach(async () => {
  sim = await new UploadSim({ blockSize: BLOCK }).start()
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-upload-test-'))
  lines = []
  retries = []
})

afterEach(async () => {
  // Whatever happened: the key went to the gateway alone, and nothing logged showed it.
  const ous = sim.requests.filter(r => r.server === 'ous')
  expect(ous.every(r => !r.carriedApiKey)).toBe(true)
  expect(sim.requests.filter(r => r.server === 'gateway').every(r => r.carriedApiKey)).toBe(true)
  const shown = [...lines, ...retries].join('\n')
  expect(shown).not.toContain(DEFAULT_UPLOAD_KEY)
  // Nor the tokens, which let anyone put files in the account's name while they last.
  for (const token of new Set(ous.map(r => r.ousToken)))
    if (token) expect(shown).not.toContain(token)
  await sim.close()
  rmSync(folder, { recursive: true, force: true })
})

function context(overrides: Partial<UploadContext> = {}): UploadContext {
  const log = (level: string) => (message: string) => void lines.push(`${level}: ${message}`)
  return {
    apiKey: DEFAULT_UPLOAD_KEY,
    region: 'cn',
    apiUrl: new URL(sim.gatewayUrl),
    clock: realClock,
    signal: new AbortController().signal,
    deadline: realClock.now() + 60_000,
    log: { info: log('info'), debug: log('debug'), warning: log('warning') },
    onRetry: fault => void retries.push(fault.message),
    ...overrides
  }
}

function file(name: string, content: Buffer): { path: string; name: string } {
  const where = path.join(folder, name)
  writeFileSync(where, content)
  return { path: where, name }
}

function parts(): number[] {
  return sim.requests.filter(r => r.path.endsWith('/part') && r.outcome === 'ok').map(r => r.block!)
}

describe('uploadFiles', () => {
  it('uploads a 0-byte file in one request, with the MD5 of nothing', async () => {
    const [result] = await uploadFiles([file('empty.txt', Buffer.alloc(0))], context())
    expect(result).toMatchObject({
      name: 'empty.txt',
      md5: 'd41d8cd98f00b204e9800998ecf8427e',
      bytes: 0,
      sentBytes: 0,
      deduplicated: false
    })
    expect(result.url).toMatch(/\/files\/d41d8cd98f00b204e9800998ecf8427e\/empty\.txt$/)
    expect(sim.fileRequests.map(r => r.path)).toEqual(['/ous/api/v2/single/upload'])
  })

  it('sends a file of at most blockSize in one request named after the file', async () => {
    const content = randomBytes(BLOCK)
    const [result] = await uploadFiles([file('photo.jpg', content)], context())
    expect(result).toMatchObject({ md5: md5Of(content), bytes: BLOCK, sentBytes: BLOCK })
    expect(result.url).toBe(`${sim.ousUrl}/files/${md5Of(content)}/photo.jpg`)
    expect(sim.requests.map(r => `${r.server} ${r.method} ${r.path} ${r.outcome}`)).toEqual([
      'gateway GET /asset/v1/token ok',
      'ous POST /ous/api/v2/single/upload ok',
      // The sim says "processing" once before done: the client polls.
      'ous GET /ous/api/v2/upload/status ok',
      'ous GET /ous/api/v2/upload/status ok'
    ])
    const token = sim.requests.find(r => r.server === 'ous')?.ousToken
    expect(token).toMatch(/^ous-/)
    expect(sim.requests.filter(r => r.server === 'ous').every(r => r.ousToken === token)).toBe(true)
  })

  it('sends a larger file in blocks, each block once, under a name in any script', async () => {
    const content = randomBytes(3 * BLOCK + 12345)
    const name = '大厅 "lobby".mp4'
    const [result] = await uploadFiles([file(name, content)], context())
    expect(result).toMatchObject({ md5: md5Of(content), sentBytes: content.length })
    // The sim finishes an upload only when the blocks' MD5 is the declared one.
    expect(result.url).toBe(`${sim.ousUrl}/files/${md5Of(content)}/${encodeURIComponent(name)}`)
    expect(parts().sort()).toEqual([1, 2, 3, 4])
    expect(sim.requests.find(r => r.path.endsWith('/init'))?.headerText).toContain(
      `name=${encodeURIComponent(name).replace(/%20/g, '+')}`
    )
  })

  it('sends only the blocks lackBlocks names ("3-5")', async () => {
    const content = randomBytes(6 * BLOCK)
    sim.resumable(content, ['3-5'])
    const [result] = await uploadFiles([file('resumed.mov', content)], context())
    expect(parts().sort()).toEqual([3, 4, 5])
    expect(result).toMatchObject({ sentBytes: 3 * BLOCK, bytes: 6 * BLOCK, deduplicated: false })
    expect(lines).toContain(
      'info: resumed.mov: the upload service has 3 of 6 blocks already; sending 3'
    )
  })

  it('sends no block when lackBlocks is [], and still waits for the status', async () => {
    const content = randomBytes(2 * BLOCK + 1)
    sim.resumable(content, [])
    const [result] = await uploadFiles([file('whole.mp4', content)], context())
    expect(parts()).toEqual([])
    expect(result).toMatchObject({ sentBytes: 0, deduplicated: false, md5: md5Of(content) })
    expect(result.url).toContain('/whole.mp4')
  })

  it('skips a file the service says is deduplicated', async () => {
    const content = randomBytes(2 * BLOCK + 5)
    sim.holds(content)
    const [result] = await uploadFiles([file('again.mp4', content)], context())
    expect(result).toMatchObject({ deduplicated: true, sentBytes: 0, bytes: content.length })
    expect(parts()).toEqual([])
    expect(lines.some(line => line.includes('again.mp4: the upload service has it already'))).toBe(
      true
    )
  })

  it('retries a block that fails once (HTTP 500, then a dropped connection)', async () => {
    const content = randomBytes(4 * BLOCK)
    sim.failPart(2, 'http500')
    sim.failPart(3, 'reset')
    const [result] = await uploadFiles([file('video.mp4', content)], context())
    expect(result.md5).toBe(md5Of(content))
    const tries = sim.requests
      .filter(r => r.path.endsWith('/part'))
      .map(r => `${r.block}:${r.outcome}`)
    expect(tries).toEqual(expect.arrayContaining(['2:http500', '2:ok', '3:reset', '3:ok']))
    expect(retries).toHaveLength(2)
  })

  it('retries an upload status that fails, and reports an upload the service failed', async () => {
    sim.failStatus('http500')
    const photo = randomBytes(1000)
    const [ok] = await uploadFiles([file('a.png', photo)], context())
    expect(ok.md5).toBe(md5Of(photo))
    expect(retries).toEqual([expect.stringContaining('HTTP 500')])

    sim.failNextUpload(8, 'the blocks do not add up')
    const failed = uploadFiles([file('b.mp4', randomBytes(2 * BLOCK))], context())
    await expect(failed).rejects.toThrow(UploadError)
    await expect(failed).rejects.toThrow(
      'The upload service failed the upload of b.mp4 (status 8, error code 5001: the blocks do not add up)'
    )
  })

  it('uploads up to 4 files and 2 blocks of each at once, results in input order', async () => {
    await sim.close()
    sim = await new UploadSim({ blockSize: BLOCK, bytesPerSecond: 40 * MiB }).start()
    const items = Array.from({ length: 6 }, (_, index) =>
      file(`f${index}.mov`, randomBytes(3 * BLOCK + index))
    )
    const told: string[] = []
    const results = await uploadFiles(
      items,
      context({ apiUrl: new URL(sim.gatewayUrl), onUploaded: file => void told.push(file.name) })
    )
    expect(results.map(r => r.name)).toEqual(items.map(item => item.name))
    expect(told.sort()).toEqual(items.map(item => item.name))
    expect(sim.peakPartsPerUpload).toBe(2)
    expect(sim.peakFileRequests).toBeGreaterThan(2)
    expect(sim.peakFileRequests).toBeLessThanOrEqual(8)
    expect(new Set(sim.requests.filter(r => r.server === 'ous').map(r => r.ousToken)).size).toBe(6)
  })

  it('logs the progress of a large file every interval', async () => {
    await sim.close()
    sim = await new UploadSim({ blockSize: BLOCK, bytesPerSecond: 8 * MiB }).start()
    // Timers 100 times faster: a 5 s interval is 50 ms.
    const clock: Clock = {
      ...realClock,
      setTimer: (callback, ms) => realClock.setTimer(callback, ms / 100)
    }
    await uploadFiles(
      [file('video.mp4', randomBytes(4 * BLOCK))],
      context({ clock, apiUrl: new URL(sim.gatewayUrl) })
    )
    const progress = lines.filter(line =>
      /^info: video\.mp4: .* of 4\.0 MiB sent \(\d+%\)$/.test(line)
    )
    expect(progress.length).toBeGreaterThan(2)
  })

  it('stops at a cancel mid-upload: quickly, every connection closed', async () => {
    await sim.close()
    sim = await new UploadSim({ blockSize: BLOCK, bytesPerSecond: 2 * MiB }).start()
    const controller = new AbortController()
    const upload = uploadFiles(
      [file('video.mp4', randomBytes(8 * BLOCK)), file('photo.jpg', randomBytes(BLOCK))],
      context({ signal: controller.signal, apiUrl: new URL(sim.gatewayUrl) })
    )
    upload.catch(() => undefined)
    while (sim.requests.filter(r => r.path.endsWith('/part')).length < 2) {
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const started = performance.now()
    controller.abort()
    await expect(upload).rejects.toThrow(CancelledError)
    expect(performance.now() - started).toBeLessThan(500)
    // The sim notices a closed connection only when its bandwidth limit lets it read again.
    for (let waited = 0; sim.busySockets > 0 && waited < 3000; waited += 20) {
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(sim.busySockets).toBe(0)
    const sentBefore = sim.requests.length
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(sim.requests.length).toBe(sentBefore)
  })

  it('refuses a wrong key at the gateway, and sends nothing to the upload service', async () => {
    const upload = uploadFiles(
      [file('a.jpg', randomBytes(10))],
      context({ apiKey: 'wrong-key-but-long-enough' })
    )
    await expect(upload).rejects.toThrow(UploadAuthError)
    await expect(upload).rejects.toThrow(/refused the API key: HTTP 401 UNAUTHENTICATED/)
    await expect(upload).rejects.not.toThrow('wrong-key-but-long-enough')
    expect(sim.requests.filter(r => r.server === 'ous')).toEqual([])
    sim.requests.length = 0
  })

  it('refuses an upload domain over plain http that is not this machine', async () => {
    // The gateway's answer names the domain: a sim reached as "localhost" names 127.0.0.1, so a
    // name outside the loopback set stands in for a remote host here.
    const { uploadDomain } = await import('../src/upload/answers.js')
    expect(() => uploadDomain('http://ous-cos.kujiale.com')).toThrow(
      'The asset gateway named http://ous-cos.kujiale.com/ as the upload domain; uploads go only over https (plain http only to this machine)'
    )
    expect(uploadDomain('https://ous-cos.kujiale.com').host).toBe('ous-cos.kujiale.com')
    expect(uploadDomain('http://127.0.0.1:8080').port).toBe('8080')
  })

  it('sends nothing to an upload domain over plain http that is not this machine', async () => {
    await sim.close()
    sim = await new UploadSim({ globalDomain: 'http://ous-cos.kujiale.com' }).start()
    const upload = uploadFiles(
      [file('a.jpg', randomBytes(10))],
      context({ apiUrl: new URL(sim.gatewayUrl) })
    )
    await expect(upload).rejects.toThrow(UploadError)
    await expect(upload).rejects.toThrow('uploads go only over https')
    expect(sim.requests.map(r => r.server)).toEqual(['gateway'])
  })

  it('uses the global region prefix for the token', async () => {
    await uploadFiles([file('a.jpg', randomBytes(10))], context({ region: 'global' }))
    expect(sim.requests[0].path).toBe('/global/asset/v1/token')
  })
})

describe('md5File', () => {
  it('hashes a file of several read chunks as one MD5', async () => {
    const content = randomBytes(3 * MiB + 17)
    const where = file('x.bin', content).path
    expect(await md5File(where)).toEqual({
      md5: createHash('md5').update(content).digest('hex'),
      bytes: content.length
    })
  })

  it('stops at a cancel', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(md5File(file('y.bin', randomBytes(10)).path, controller.signal)).rejects.toThrow(
      CancelledError
    )
  })
})
