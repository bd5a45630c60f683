import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { type DeliveryDeps, deliverAssets, startDelivery } from '../src/assets/deliver.js'
import { type AssetUrls, linksOfUrls } from '../src/domain/formats.js'
import { CancelledError } from '../src/errors.js'
import type { TaskRecord } from '../src/poll.js'
import { realClock } from '../src/runtime.js'
import { AholoSim, startAholoSim } from '../sim/open-platform.js'

const SPLATS = path.resolve('__fixtures__/splats')
const PLY = path.join(SPLATS, 'ply/st_1k_sh3.ply')
const SPZ = path.join(SPLATS, 'spz/v4_1k_sh3.spz')

let sim: AholoSim
let folder: string

beforeAll(async () => {
  sim = await startAholoSim()
})

afterAll(async () => {
  await sim.close()
})

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-deliver-'))
})

afterEach(() => {
  rmSync(folder, { recursive: true, force: true })
})

function harness(controller = new AbortController()): {
  deps: DeliveryDeps
  lines: string[]
  controller: AbortController
} {
  const lines: string[] = []
  const deps: DeliveryDeps = {
    clock: realClock,
    signal: controller.signal,
    env: process.env,
    log: {
      debug: message => lines.push(`debug: ${message}`),
      info: message => lines.push(`info: ${message}`),
      notice: message => lines.push(`notice: ${message}`),
      warning: message => lines.push(`warning: ${message}`),
      startGroup: title => lines.push(`group: ${title}`),
      endGroup: () => lines.push('endgroup')
    }
  }
  return { deps, lines, controller }
}

function task(
  taskId: string,
  urls: AssetUrls,
  state: TaskRecord['state'] = 'succeeded'
): TaskRecord {
  return { taskId, status: 3, state, final: true, assets: linksOfUrls(urls) }
}

/** Every file under the download folder, temporary ones included. */
function everyFile(): string[] {
  const list = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
          entry.isDirectory()
            ? list(path.join(dir, entry.name))
            : [path.relative(folder, path.join(dir, entry.name))]
        )
      : []
  return list(folder).sort()
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 1000; tries++) {
    if (condition()) return
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('deliverAssets', () => {
  test('downloads and verifies the chosen formats of the succeeded tasks only, in order', async () => {
    sim.addAsset('/d1/T1.ply', { kind: 'file', path: PLY })
    sim.addAsset('/d1/T1.spz', { kind: 'file', path: SPZ })
    sim.addAsset('/d1/T2.spz', { kind: 'file', path: SPZ })
    const { deps, lines } = harness()

    const delivery = await deliverAssets(
      { formats: ['spz', 'ply'], downloadDir: folder },
      [
        task('T1', { plyPath: `${sim.url}/d1/T1.ply`, spzPath: `${sim.url}/d1/T1.spz` }),
        task('T2', { spzPath: `${sim.url}/d1/T2.spz` }),
        task('T3', { spzPath: `${sim.url}/d1/T3.spz` }, 'failed')
      ],
      deps
    )

    expect(delivery).toMatchObject({ downloadDir: folder, cancelled: false })
    expect(delivery.error).toBeUndefined()
    expect([...delivery.files.keys()]).toEqual(['T1', 'T2'])
    // In the service's order, whatever the order of `formats`.
    expect(delivery.files.get('T1')?.map(file => file.format)).toEqual(['ply', 'spz'])
    expect(delivery.files.get('T1')?.[0]).toMatchObject({
      path: path.join(folder, 'T1', 'T1.ply'),
      bytes: readFileSync(PLY).length,
      gaussians: 1000,
      shDegree: 3
    })
    expect(everyFile()).toEqual(['T1/T1.ply', 'T1/T1.spz', 'T2/T2.spz'])
    expect(lines[0]).toBe(`group: Downloading 3 files to ${folder}`)
    expect(lines).toContain(
      'notice: Not downloaded, since the service gave no URL: T2 has no PLY file.'
    )
  })

  // What the artifact then holds is in delivery-upload.test.ts, against the results service.
  test('tries every file and names every failure', async () => {
    sim.addAsset('/d2/T1.ply', { kind: 'file', path: PLY })
    sim.addAsset('/d2/T1.spz', { kind: 'file', path: PLY })
    const { deps } = harness()
    const delivery = await deliverAssets(
      { formats: ['ply', 'spz', 'sog'], downloadDir: folder },
      [
        task('T1', {
          plyPath: `${sim.url}/d2/T1.ply`,
          spzPath: `${sim.url}/d2/T1.spz`,
          sogPath: `${sim.url}/d2/missing.sog?sig=SECRET`
        })
      ],
      deps
    )

    expect(delivery.files.get('T1')?.map(file => file.format)).toEqual(['ply'])
    expect(delivery.error).toMatch(/^2 of 3 downloads failed: Task T1, SPZ from .*\/d2\/T1\.spz: /)
    expect(delivery.error).toMatch(
      new RegExp(`Task T1, SOG from ${sim.url}/d2/missing\\.sog: HTTP 404\\.$`)
    )
    expect(delivery.error).not.toContain('SECRET')
    expect(delivery.artifact).toBeUndefined()
    expect(everyFile()).toEqual(['T1/T1.ply'])
  })

  test('a cancel during downloads keeps the file that finished and verified, says so, and leaves no partial file', async () => {
    sim.addAsset('/d3/T1.ply', { kind: 'file', path: PLY })
    // Far too large to finish before the cancel.
    sim.addAsset('/d3/T1.spz', { kind: 'generated', bytes: 8 * 1024 ** 3 })
    const { deps, controller } = harness()
    const reason = new CancelledError()
    let cancelledAt = 0
    const info = deps.log.info
    deps.log.info = message => {
      info(message)
      if (!cancelledAt && /^T1 PLY: .* splats/.test(message)) {
        setTimeout(() => {
          cancelledAt = performance.now()
          controller.abort(reason)
        }, 100)
      }
    }

    const delivery = await deliverAssets(
      { formats: ['ply', 'spz'], downloadDir: folder, upload: { name: 'never' } },
      [task('T1', { plyPath: `${sim.url}/d3/T1.ply`, spzPath: `${sim.url}/d3/T1.spz` })],
      deps
    )

    expect(performance.now() - cancelledAt).toBeLessThan(1000)
    expect(delivery.cancelled).toBe(true)
    expect(delivery.files.get('T1')?.map(file => file.format)).toEqual(['ply'])
    expect(delivery.downloadDir).toBe(folder)
    expect(delivery.error).toBe(
      'Downloads were cancelled with 1 of 2 files unfinished. No artifact was uploaded.'
    )
    expect(everyFile()).toEqual(['T1/T1.ply'])
  })
})

describe('startDelivery', () => {
  /** Serves the PLY fixture to every GET after `holdMs`, counting requests in flight. */
  async function countingServer(holdMs: number): Promise<{
    url: string
    peak: () => number
    paths: string[]
    close(): Promise<void>
  }> {
    const body = readFileSync(PLY)
    let active = 0
    let peak = 0
    const paths: string[] = []
    const sockets = new Set<Socket>()
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '')
      active++
      peak = Math.max(peak, active)
      res.on('close', () => active--)
      setTimeout(() => res.writeHead(200, { 'Content-Length': body.length }).end(body), holdMs)
    })
    server.on('connection', socket => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      peak: () => peak,
      paths,
      close: async () => {
        sockets.forEach(socket => socket.destroy())
        await new Promise<void>(resolve => server.close(() => resolve()))
      }
    }
  }

  test('downloads at most four files at once across tasks, and starts a task as soon as it is added', async () => {
    const server = await countingServer(100)
    const { deps } = harness()
    try {
      const run = startDelivery({ formats: ['ply'], downloadDir: folder }, deps)
      run.add(task('A0', { plyPath: `${server.url}/A0.ply` }))
      // Requested while no other task is known yet: nothing waits for the batch.
      await waitFor(() => server.paths.length === 1, 'the first request')
      for (let i = 1; i < 9; i++) run.add(task(`A${i}`, { plyPath: `${server.url}/A${i}.ply` }))
      // Added twice, downloaded once.
      run.add(task('A1', { plyPath: `${server.url}/A1.ply` }))

      const delivery = await run.finish()

      expect(server.peak()).toBe(4)
      expect(server.paths).toHaveLength(9)
      expect([...delivery.files.keys()]).toEqual(Array.from({ length: 9 }, (_, i) => `A${i}`))
      expect(() => run.add(task('late', {}))).toThrow('The delivery is finished')
    } finally {
      await server.close()
    }
  })

  test('after a cancel no queued file starts, and finish says cancelled', async () => {
    const server = await countingServer(300)
    const { deps, controller } = harness()
    try {
      const run = startDelivery({ formats: ['ply'], downloadDir: folder, concurrency: 2 }, deps)
      for (let i = 0; i < 6; i++) run.add(task(`B${i}`, { plyPath: `${server.url}/B${i}.ply` }))
      await waitFor(() => server.paths.length === 2, 'the first two requests')
      controller.abort(new CancelledError())

      const delivery = await run.finish()

      expect(server.paths).toHaveLength(2)
      expect(delivery.cancelled).toBe(true)
      expect(delivery.files.size).toBe(0)
      expect(delivery.error).toBe('Downloads were cancelled with 6 of 6 files unfinished.')
      expect(everyFile()).toEqual([])
    } finally {
      await server.close()
    }
  })
})
