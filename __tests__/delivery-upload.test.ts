/**
 * The artifact at the end of a delivery, against the Azurite-backed results service: the ZIP's
 * default compression follows the formats, and the artifact holds every file that verified and
 * is within budget, while the step fails naming the others.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { defaultCompressionLevel } from '../src/assets/artifact.js'
import { type DeliveryOptions, deliverAssets } from '../src/assets/deliver.js'
import { type AssetUrls, linksOfUrls } from '../src/domain/formats.js'
import type { AssetFormat } from '../src/domain/formats.js'
import type { TaskRecord } from '../src/poll.js'
import { realClock } from '../src/runtime.js'
import { type Azurite, startAzurite } from '../sim/azurite.js'
import { AholoSim, startAholoSim } from '../sim/open-platform.js'
import { readZip, ResultsService, runnerEnv } from '../sim/results-service.js'
import { writeGlb, writeStl } from './support/model-writers.js'

const SPLATS = path.resolve('__fixtures__/splats')
const FIXTURES = {
  ply: path.join(SPLATS, 'ply/st_1k_sh3.ply'),
  spz: path.join(SPLATS, 'spz/v4_1k_sh3.spz'),
  sog: path.join(SPLATS, 'sog/bundled_1k_sh3.sog')
}

let azurite: Azurite
let service: ResultsService
let sim: AholoSim
let env: Record<string, string>
let savedEnv: Record<string, string | undefined>
let restoreStdout: () => void
let folder: string

beforeAll(async () => {
  // The toolkit logs every step with core.info, straight to stdout.
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof write
  restoreStdout = () => (process.stdout.write = write)
  azurite = await startAzurite()
  service = await ResultsService.start(azurite)
  sim = await startAholoSim()
  for (const id of ['T1', 'T2']) {
    for (const [format, file] of Object.entries(FIXTURES)) {
      sim.addAsset(`/up/${id}.${format}`, { kind: 'file', path: file })
    }
  }
  // Bytes cut short: verification fails on it.
  sim.addAsset('/broken/T2.spz', {
    kind: 'file',
    path: path.join(SPLATS, 'bad/trunc_v4_1k_sh3.spz')
  })
  sim.addAsset('/mesh/M1.glb', { kind: 'bytes', body: await writeGlb(50) }) // 100 triangles
  sim.addAsset('/mesh/M1.stl', { kind: 'bytes', body: writeStl(true) }) // 12 triangles
  env = runnerEnv(service)
})

// The artifact client reads process.env: each test has the runner's variables there.
beforeEach(() => {
  savedEnv = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]))
  Object.assign(process.env, env)
  folder = mkdtempSync(path.join(tmpdir(), 'aholo-delivery-upload-'))
})
afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  service.release()
  rmSync(folder, { recursive: true, force: true })
})
afterAll(async () => {
  restoreStdout?.()
  await sim?.close()
  await service?.stop()
  await azurite?.stop()
})

function task(taskId: string, urls: AssetUrls): TaskRecord {
  return { taskId, status: 3, state: 'succeeded', final: true, assets: linksOfUrls(urls) }
}

function urlsOf(taskId: string, formats: Array<keyof typeof FIXTURES>): AssetUrls {
  const keys = { ply: 'plyPath', spz: 'spzPath', sog: 'sogPath' } as const
  return Object.fromEntries(formats.map(f => [keys[f], `${sim.url}/up/${taskId}.${f}`]))
}

async function deliver(
  name: string,
  formats: Array<keyof typeof FIXTURES>,
  extra: Partial<DeliveryOptions> = {},
  tasks = [task('T1', urlsOf('T1', formats)), task('T2', urlsOf('T2', formats))]
) {
  const groups: string[] = []
  const delivery = await deliverAssets(
    { formats, downloadDir: folder, upload: { name }, ...extra },
    tasks,
    {
      clock: realClock,
      signal: new AbortController().signal,
      env,
      log: {
        debug: () => undefined,
        info: () => undefined,
        notice: () => undefined,
        warning: () => undefined,
        startGroup: title => groups.push(title),
        endGroup: () => undefined
      }
    }
  )
  return { delivery, groups }
}

async function deliverAssetsOf(
  name: string,
  meshes: TaskRecord,
  budgets: DeliveryOptions['budgets']
) {
  return deliver(name, [], { formats: ['glb', 'stl'], budgets }, [meshes])
}

describe('defaultCompressionLevel', () => {
  it.each([
    [0, ['spz']],
    [0, ['sog']],
    [0, ['spz', 'sog']],
    [6, ['ply']],
    [6, ['spz', 'ply', 'sog']],
    [6, []]
  ] as const)('is %i for the formats %j', (level, formats) => {
    expect(defaultCompressionLevel(formats)).toBe(level)
  })
})

describe('the artifact of a delivery', () => {
  it('stores SPZ and SOG files uncompressed (method 0) when no level is given', async () => {
    const { delivery, groups } = await deliver('spz-sog-only', ['spz', 'sog'])

    expect(delivery.error).toBeUndefined()
    expect(delivery.artifact?.id).toEqual(expect.any(Number))
    const entries = readZip(await service.readArtifact('spz-sog-only'))
    expect(entries.map(entry => entry.name).sort()).toEqual([
      'T1/T1.sog',
      'T1/T1.spz',
      'T2/T2.sog',
      'T2/T2.spz'
    ])
    expect(entries.map(entry => entry.method)).toEqual([0, 0, 0, 0])
    expect(groups.at(-1)).toMatch(/\(compression level 0\)$/)
  })

  it('deflates every entry (method 8) when a PLY is among the files', async () => {
    const { delivery, groups } = await deliver('with-ply', ['spz', 'ply'])

    expect(delivery.error).toBeUndefined()
    const entries = readZip(await service.readArtifact('with-ply'))
    expect(entries).toHaveLength(4)
    expect(entries.map(entry => entry.method)).toEqual([8, 8, 8, 8])
    expect(groups.at(-1)).toMatch(/\(compression level 6\)$/)
  })

  it('keeps a level given explicitly, even for SPZ only', async () => {
    await deliver('spz-at-6', ['spz'], { upload: { name: 'spz-at-6', compressionLevel: 6 } })
    const entries = readZip(await service.readArtifact('spz-at-6'))
    expect(entries.map(entry => entry.method)).toEqual([8, 8])
  })

  it('holds the good file when another is broken, and the error names the broken one', async () => {
    const { delivery, groups } = await deliver('one-broken', ['spz'], {}, [
      task('T1', urlsOf('T1', ['spz'])),
      task('T2', { spzPath: `${sim.url}/broken/T2.spz` })
    ])

    expect(delivery.error).toMatch(
      /^1 of 2 downloads failed: Task T2, SPZ from .*\/broken\/T2\.spz: /
    )
    expect(delivery.error).toMatch(/ The artifact one-broken holds the other file\.$/)
    expect(delivery.artifact?.id).toEqual(expect.any(Number))
    const entries = readZip(await service.readArtifact('one-broken'))
    expect(entries.map(entry => entry.name)).toEqual(['T1/T1.spz'])
    expect(groups.at(-1)).toMatch(/^Uploading 1 file as the artifact one-broken /)
    expect([...delivery.files.keys()]).toEqual(['T1'])
  })

  it('leaves a file over a budget out of the artifact, and the error names it', async () => {
    const meshes: TaskRecord = {
      taskId: 'M1',
      status: 3,
      state: 'succeeded',
      final: true,
      assets: (['glb', 'stl'] as AssetFormat[]).map(format => ({
        format,
        url: `${sim.url}/mesh/M1.${format}`
      }))
    }
    const { delivery } = await deliverAssetsOf('over-one', meshes, { maxTriangles: 50 })

    expect(delivery.error).toBe(
      "1 of 2 files is over a budget: Task M1, GLB: 100 triangles, over 'max-triangles' of 50. The artifact over-one holds the other file."
    )
    const entries = readZip(await service.readArtifact('over-one'))
    expect(entries.map(entry => entry.name)).toEqual(['M1/M1.stl'])
    // The file over budget is still downloaded and listed; only the artifact leaves it out.
    expect(delivery.files.get('M1')?.map(file => [file.format, Boolean(file.overBudget)])).toEqual([
      ['glb', true],
      ['stl', false]
    ])
  })

  it('names every file that failed and what the artifact holds, for several of each', async () => {
    // The PLY fixture is 249,529 bytes, the SPZ 38,133: the two PLY files are over the limit.
    const { delivery } = await deliver('no-ply', ['spz', 'ply'], {
      budgets: { maxFileSizeBytes: 100_000 }
    })

    expect(delivery.error).toContain('Task T1, PLY')
    expect(delivery.error).toContain('Task T2, PLY')
    expect(delivery.error).toMatch(/ The artifact no-ply holds the other 2 files\.$/)
    const entries = readZip(await service.readArtifact('no-ply'))
    expect(entries.map(entry => entry.name).sort()).toEqual(['T1/T1.spz', 'T2/T2.spz'])
  })

  it('uploads nothing when every file is over a budget, and keeps the files listed', async () => {
    const { delivery, groups } = await deliver('over-budget', ['spz'], {
      budgets: { maxGaussians: 999 }
    })

    expect(delivery.error).toBe(
      "2 of 2 files are over a budget: Task T1, SPZ: 1,000 splats, over 'max-gaussians' of 999. Task T2, SPZ: 1,000 splats, over 'max-gaussians' of 999. No artifact was uploaded."
    )
    expect(delivery.artifact).toBeUndefined()
    expect(service.calls.filter(call => call.body.name === 'over-budget')).toEqual([])
    expect(groups.some(title => title.startsWith('Uploading'))).toBe(false)
    expect([...delivery.files.values()].flat().map(file => file.overBudget)).toEqual([
      "1,000 splats, over 'max-gaussians' of 999",
      "1,000 splats, over 'max-gaussians' of 999"
    ])
  })
})
