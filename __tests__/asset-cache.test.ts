/**
 * The runner's tool cache (@actions/tool-cache, under RUNNER_TOOL_CACHE), through the step
 * in-process against the simulated open platform: a second run downloads nothing, a corrupt
 * entry is replaced, GitHub-hosted runners keep nothing, a broken cache is only a warning.
 */
import { createHash } from 'node:crypto'
import {
  cpSync,
  symlinkSync,
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { cacheEntryOf } from '../src/assets/asset-cache.js'
import type { InputName } from '../src/inputs/contract.js'
import { run } from '../src/main.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { FakeTime } from './support/fake-time.js'
import { RecordingIO } from './support/recording-io.js'

const SPLATS = path.resolve('__fixtures__/splats')
const PLY = path.join(SPLATS, 'ply/st_1k_sh3.ply')
const SPZ = path.join(SPLATS, 'spz/v3_1k_sh3.spz')

interface FileResult {
  format: string
  path: string
  sha256: string
  bytes: number
  reused?: boolean
}

let sim: AholoSim
let home: string
let toolCache: string
let savedToolCache: string | undefined
let restoreStdout: () => void

beforeAll(() => {
  // @actions/tool-cache logs with core.debug, straight to stdout.
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof write
  restoreStdout = () => (process.stdout.write = write)
})
afterAll(() => restoreStdout())

beforeEach(async () => {
  sim = await startAholoSim()
  home = mkdtempSync(path.join(tmpdir(), 'aholo-tool-cache-'))
  toolCache = path.join(home, 'tool-cache')
  mkdirSync(toolCache)
  // The toolkit reads RUNNER_TOOL_CACHE from process.env; the step checks it against its own.
  savedToolCache = process.env.RUNNER_TOOL_CACHE
  process.env.RUNNER_TOOL_CACHE = toolCache
  sim.addTask('A1', { timeline: [3], formats: ['ply', 'spz'] })
  sim.addAsset(sim.assetPath('A1', 'ply'), { kind: 'file', path: PLY })
  sim.addAsset(sim.assetPath('A1', 'spz'), { kind: 'file', path: SPZ })
})
afterEach(async () => {
  if (savedToolCache === undefined) delete process.env.RUNNER_TOOL_CACHE
  else process.env.RUNNER_TOOL_CACHE = savedToolCache
  await sim.close()
  rmSync(home, { recursive: true, force: true })
})

async function step(
  workspace: string,
  env: NodeJS.ProcessEnv = { RUNNER_ENVIRONMENT: 'self-hosted' },
  inputs: Partial<Record<InputName, string>> = {}
): Promise<{ io: RecordingIO; files: FileResult[] }> {
  const io = new RecordingIO({
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'task-ids': 'A1',
    download: 'ply spz',
    ...inputs
  })
  await run(io, {
    clock: new FakeTime(),
    signal: new AbortController().signal,
    env: {
      GITHUB_WORKSPACE: path.join(home, workspace),
      RUNNER_TEMP: path.join(home, 'temp'),
      RUNNER_TOOL_CACHE: toolCache,
      ...env
    }
  })
  const [result] = io.outputs.results ? JSON.parse(io.outputs.results) : [{ files: [] }]
  return { io, files: result.files }
}

const assetGets = (): number => sim.requests.filter(r => r.path.startsWith('/assets/')).length
const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex')

/** Every file under the tool cache, relative to it. */
function cached(): string[] {
  return (readdirSync(toolCache, { recursive: true }) as string[])
    .filter(name => statSync(path.join(toolCache, name)).isFile())
    .sort()
}

function cachedFile(format: 'ply' | 'spz'): string {
  const name = cached().find(file => file.endsWith(`.${format}`))
  if (!name) throw new Error(`no cached ${format}`)
  return path.join(toolCache, name)
}

describe('the tool cache key', () => {
  const key = {
    api: 'world' as const,
    taskId: 'W1',
    format: 'spz' as const,
    url: 'https://cdn.example.com/a/W1.spz?Expires=1&Signature=abc'
  }

  it('ignores the query string, and tells apart API, task, format and path', () => {
    const entry = cacheEntryOf(key)
    expect(entry.tool).toBe('aholo-world-spz')
    expect(entry.version).toMatch(/^0\.0\.0-k[0-9a-f]{32}$/)
    expect(entry.arch).toBe('any')
    expect(cacheEntryOf({ ...key, url: 'https://cdn.example.com/a/W1.spz?Signature=xyz' })).toEqual(
      entry
    )
    const others = [
      { ...key, api: 'open-platform' as const },
      { ...key, taskId: 'W2' },
      { ...key, taskId: 'w1' },
      { ...key, format: 'ply' as const },
      { ...key, url: 'https://cdn.example.com/b/W1.spz' }
    ].map(other => cacheEntryOf(other).version)
    expect(new Set([entry.version, ...others]).size).toBe(6)
  })
})

describe('reuse on a self-hosted runner', () => {
  it('downloads nothing the second time, with the same files and SHA-256s, marked reused', async () => {
    const first = await step('ws1')
    expect(first.io.failed).toBeUndefined()
    expect(assetGets()).toBe(2)
    expect(first.files.map(file => file.reused)).toEqual([undefined, undefined])
    // One entry per file, named by size and SHA-256, under tool-cache's own marker.
    const entry = (format: string, file: string): RegExp =>
      new RegExp(
        `^aholo-open-platform-${format}/0\\.0\\.0-k([0-9a-f]{32})/any(\\.complete|/${statSync(file).size}-${sha256(file)}-k\\1\\.${format})$`
      )
    const names = cached()
    expect(names).toHaveLength(4)
    expect(names.filter(name => entry('ply', PLY).test(name))).toHaveLength(2)
    expect(names.filter(name => entry('spz', SPZ).test(name))).toHaveLength(2)

    const second = await step('ws2')
    expect(second.io.failed).toBeUndefined()
    expect(assetGets()).toBe(2)
    expect(second.files.map(({ format, sha256, bytes }) => ({ format, sha256, bytes }))).toEqual(
      first.files.map(({ format, sha256, bytes }) => ({ format, sha256, bytes }))
    )
    expect(second.files.map(file => file.reused)).toEqual([true, true])
    for (const file of second.files) {
      expect(file.path.startsWith(path.join(home, 'ws2'))).toBe(true)
      expect(sha256(file.path)).toBe(file.sha256)
    }
    expect(readFileSync(second.files[0].path).equals(readFileSync(PLY))).toBe(true)
    expect(second.io.lines('info')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^A1 PLY: reused from the runner's tool cache/),
        expect.stringMatching(/^A1 SPZ: reused from the runner's tool cache/)
      ])
    )
    expect(second.io.summaries[0]).toContain('splats, reused)')
    expect(second.io.lines('warning')).toEqual([])
  })

  it('places the files again in a workspace kept from the run that placed them', async () => {
    await step('ws1')
    await step('ws2')
    const third = await step('ws2')
    expect(assetGets()).toBe(2)
    expect(third.files.map(file => file.reused)).toEqual([true, true])
    expect(readdirSync(path.dirname(third.files[0].path)).sort()).toEqual([
      'point_cloud.ply',
      'point_cloud.spz'
    ])
  })

  it.each([
    ['a flipped byte', (file: string) => flipByte(file), /its SHA-256 differs/],
    [
      'a cut-off end',
      (file: string) => truncateSync(file, statSync(file).size - 100),
      /bytes, not the \d+ recorded/
    ],
    ['a longer file', (file: string) => appendFileSync(file, 'x'), /bytes, not the \d+ recorded/]
  ])('discards an entry with %s and downloads the file afresh', async (_, spoil, reason) => {
    const first = await step('ws1')
    const [plyFirst] = first.files
    spoil(cachedFile('ply'))

    const second = await step('ws2')
    expect(second.io.failed).toBeUndefined()
    // The PLY again, not the SPZ.
    expect(assetGets()).toBe(3)
    expect(sim.requests.at(-1)?.path).toBe(sim.assetPath('A1', 'ply'))
    const [ply, spz] = second.files
    expect(ply).not.toHaveProperty('reused')
    expect(ply.sha256).toBe(plyFirst.sha256)
    expect(sha256(ply.path)).toBe(sha256(PLY))
    expect(spz.reused).toBe(true)
    const [warning] = second.io.lines('warning')
    expect(warning).toMatch(/^A1 PLY: the copy in the runner's tool cache is corrupt \(/)
    expect(warning).toMatch(reason)
    expect(warning).toContain('it is discarded and the file downloaded afresh')

    // The fresh download took the bad entry's place.
    expect(sha256(cachedFile('ply'))).toBe(sha256(PLY))
    const third = await step('ws3')
    expect(assetGets()).toBe(3)
    expect(third.files.map(file => file.reused)).toEqual([true, true])
  })
})

describe('an entry is used only for what it was kept for', () => {
  function entryFolder(taskId: string, format: 'ply' | 'spz'): string {
    const { tool, version, arch } = cacheEntryOf({
      api: 'open-platform',
      taskId,
      format,
      url: sim.assetUrl(taskId, format)
    })
    return path.join(toolCache, tool, version, arch)
  }

  beforeEach(() => {
    sim.addTask('A2', { timeline: [3], formats: ['ply'] })
    sim.addAsset(sim.assetPath('A2', 'ply'), { kind: 'file', path: PLY })
  })

  it("does not take another task's entry moved under this task's key", async () => {
    await step('ws1')
    const ours = entryFolder('A2', 'ply')
    mkdirSync(path.dirname(ours), { recursive: true })
    cpSync(entryFolder('A1', 'ply'), ours, { recursive: true })
    writeFileSync(`${ours}.complete`, '')
    const before = assetGets()
    const second = await step('ws2', undefined, { 'task-ids': 'A2', download: 'ply' })
    expect(second.io.failed).toBeUndefined()
    expect(assetGets()).toBe(before + 1)
    expect(second.files[0]).not.toHaveProperty('reused')
    expect(second.io.lines('warning').join('\n')).toContain('it was kept for another task or file')
  })

  it('never follows a link in an entry', async () => {
    await step('ws1')
    const file = cachedFile('ply')
    const outside = path.join(home, 'outside.ply')
    cpSync(file, outside)
    rmSync(file)
    symlinkSync(outside, file)
    const second = await step('ws2')
    expect(second.io.failed).toBeUndefined()
    expect(second.files[0]).not.toHaveProperty('reused')
    expect(second.io.lines('warning').join('\n')).toContain('its file is a link')
  })
})

describe('no reuse', () => {
  it('keeps nothing with cache: auto on a GitHub-hosted runner', async () => {
    const env = { RUNNER_ENVIRONMENT: 'github-hosted' }
    const first = await step('ws1', env)
    const second = await step('ws2', env)
    expect(first.io.failed).toBeUndefined()
    expect(second.io.failed).toBeUndefined()
    expect(readdirSync(toolCache)).toEqual([])
    expect(assetGets()).toBe(4)
    expect(second.files.map(file => file.reused)).toEqual([undefined, undefined])
  })

  it('keeps nothing with cache: false on a self-hosted runner', async () => {
    await step('ws1', { RUNNER_ENVIRONMENT: 'self-hosted' }, { cache: 'false' })
    expect(readdirSync(toolCache)).toEqual([])
  })

  it('only warns when the tool cache cannot be written, and delivers the files', async () => {
    const blocker = path.join(home, 'not-a-folder')
    writeFileSync(blocker, 'x')
    process.env.RUNNER_TOOL_CACHE = blocker
    const { io, files } = await step('ws1', {
      RUNNER_ENVIRONMENT: 'self-hosted',
      RUNNER_TOOL_CACHE: blocker
    })
    expect(io.failed).toBeUndefined()
    expect(files.map(file => file.format)).toEqual(['ply', 'spz'])
    expect(io.lines('warning')).toEqual([
      expect.stringMatching(/^A1 PLY: could not be kept in the runner's tool cache: /),
      expect.stringMatching(/^A1 SPZ: could not be kept in the runner's tool cache: /)
    ])
  })

  it('only warns when the runner gives no tool cache', async () => {
    delete process.env.RUNNER_TOOL_CACHE
    const { io, files } = await step('ws1', {
      RUNNER_ENVIRONMENT: 'self-hosted',
      RUNNER_TOOL_CACHE: undefined
    })
    expect(io.failed).toBeUndefined()
    expect(files).toHaveLength(2)
    expect(io.lines('warning')).toEqual([
      "'cache' is on, but the runner sets no RUNNER_TOOL_CACHE: files are neither reused from it nor kept in it. Set 'cache: false' to say so."
    ])
  })
})

function flipByte(file: string): void {
  const bytes = readFileSync(file)
  // Well past the header, in the splat data.
  bytes[bytes.length - 10] ^= 0xff
  writeFileSync(file, bytes)
}
