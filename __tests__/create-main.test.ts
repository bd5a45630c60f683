/**
 * The create step in-process: run(io, runtime) against the simulated World and Lux3D gateways,
 * with a recording ActionIO and a fake clock. No module is mocked; every request is real HTTP on
 * 127.0.0.1. Jobs are given public links (no upload); local files appear in dry runs and in the
 * checks made before any request.
 */
import { startUploadSim, type UploadSim } from '../sim/uploads.js'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { run } from '../src/create/main.js'
import type { CreateInputName } from '../src/inputs/create-contract.js'
import { startLux3dCreateSim, type Lux3dCreateSim } from '../sim/lux3d-create.js'
import {
  DEFAULT_API_KEY,
  startWorldSim,
  type WorldSim,
  type WorldSimOptions
} from '../sim/world.js'
import { ACTION_VERSION } from '../src/version.js'
import { apiError } from '../sim/world-answers.js'
import { FakeTime } from './support/fake-time.js'
import { RecordingIO } from './support/recording-io.js'

type Inputs = Partial<Record<CreateInputName, string>>

let time: FakeTime
let home: string
let workspace: string
let world: WorldSim | undefined
let lux3d: Lux3dCreateSim | undefined
let uploads: UploadSim | undefined

beforeEach(() => {
  time = new FakeTime()
  home = mkdtempSync(path.join(tmpdir(), 'aholo-create-'))
  workspace = path.join(home, 'workspace')
  mkdirSync(workspace)
})
afterEach(async () => {
  await world?.close()
  await lux3d?.close()
  await uploads?.close()
  world = lux3d = uploads = undefined
  rmSync(home, { recursive: true, force: true })
})

async function startWorld(options: WorldSimOptions = {}): Promise<WorldSim> {
  world = await startWorldSim({ now: time.wallClock, ...options })
  return world
}

async function step(
  inputs: Inputs,
  signal = new AbortController().signal
): Promise<RecordingIO<CreateInputName>> {
  const io = new RecordingIO<CreateInputName>(inputs)
  await run(io, {
    clock: time,
    signal,
    env: { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: path.join(home, 'temp') }
  })
  return io
}

/** `count` small distinct files under the workspace; their relative paths. */
function writeFiles(folder: string, count: number, extension = 'jpg'): string[] {
  mkdirSync(path.join(workspace, folder), { recursive: true })
  return Array.from({ length: count }, (_, i) => {
    const relative = `${folder}/shot_${String(i).padStart(2, '0')}.${extension}`
    writeFileSync(path.join(workspace, relative), `${relative} bytes`)
    return relative
  })
}

const photoUrls = (count: number, base = 'https://cdn.example.com/lobby'): string =>
  Array.from({ length: count }, (_, i) => `${base}/shot_${i}.jpg`).join('\n')

function reconstruction(extra: Inputs = {}): Inputs {
  return {
    job: 'reconstruction',
    'api-key': DEFAULT_API_KEY,
    'api-url': world?.url ?? '',
    urls: photoUrls(20),
    scene: 'space',
    name: 'Lobby',
    ...extra
  }
}

describe('a dry run', () => {
  it('checks the inputs, lists the files with sizes and MD5s and prints the bodies, sending nothing, with or without an api-key', async () => {
    const sim = await startWorld()
    const lobby = writeFiles('photos/lobby', 20)
    writeFiles('photos/hall', 1, 'mp4')
    // Left out by the negated pattern; matched, it would be a file of a type no job takes.
    writeFileSync(path.join(workspace, 'photos/lobby/notes.txt'), 'notes')
    for (const key of [DEFAULT_API_KEY, '']) {
      const io = await step({
        job: 'reconstruction',
        'dry-run': 'true',
        'api-key': key,
        'api-url': sim.url,
        files: 'photos/**\n!photos/**/*.txt',
        'group-by': 'folder',
        scene: 'space'
      })
      expect(io.failed).toBeUndefined()
      const log = io.lines('info').join('\n')
      const md5 = createHash('md5').update(`${lobby[0]} bytes`).digest('hex')
      expect(log).toContain(`${lobby[0]}  `)
      expect(log).toContain(`md5 ${md5}`)
      expect(log).toContain('"taskQuality": "normal"')
      expect(log).toContain(`"url": "<public URL of the upload of ${lobby[0]}>"`)
      expect(log).toMatch(/"name": "photos\/lobby \[aholo:[0-9a-f]{8}\]"/)
      expect(io.lines('group')).toContainEqual(
        expect.stringMatching(/^Dry run: POST \/reconstructions \(photos\/hall \[aholo:/)
      )
      expect(io.outputs['task-ids']).toBe('')
      expect(io.outputs.provider).toBe('world')
      expect(JSON.parse(io.outputs.jobs)).toEqual([
        {
          name: expect.stringMatching(/^photos\/hall \[aholo:/),
          id: null,
          reused: false,
          files: 1,
          bytes: 29
        },
        {
          name: expect.stringMatching(/^photos\/lobby \[aholo:/),
          id: null,
          reused: false,
          files: 20,
          bytes: 20 * 30
        }
      ])
      expect(io.outputs.uploads).toBe('{}')
      expect(io.summaries.join()).toContain('nothing was uploaded and nothing was created')
      expect(JSON.parse(readFileSync(io.outputs['results-file'], 'utf8'))).toMatchObject({
        dryRun: true
      })
    }
    expect(sim.requests).toEqual([])
  })

  it('refuses 19 images before any request, naming the folder and the count, with every other problem', async () => {
    const sim = await startWorld()
    writeFiles('photos/lobby', 18)
    writeFiles('photos/mixed', 20)
    writeFiles('photos/mixed', 1, 'mov')
    writeFileSync(path.join(workspace, 'photos/lobby/empty.png'), '')
    const io = await step({
      job: 'reconstruction',
      'api-key': DEFAULT_API_KEY,
      'api-url': sim.url,
      files: 'photos/**',
      'group-by': 'folder',
      scene: 'space',
      cover: 'covers/missing.jpg'
    })
    expect(io.failed).toMatch(/^4 inputs are invalid/)
    expect(io.failed).toContain('\'cover\' names "covers/missing.jpg", which does not exist')
    expect(io.failed).toContain("'files' matched 1 empty file (0 bytes): photos/lobby/empty.png.")
    expect(io.failed).toContain(
      'Folder photos/lobby has 19 images; a job with images needs at least 20.'
    )
    expect(io.failed).toContain('Folder photos/mixed mixes kinds (20 images, 1 video)')
    expect(sim.requests).toEqual([])
    // Nothing was planned, so no output claims anything.
    expect(io.outputs).toEqual({})
  })

  it('uploads local files through the upload service, then creates the job with their URLs', async () => {
    uploads = await startUploadSim({ keys: [DEFAULT_API_KEY] })
    const sim = await startWorld({ assetGateway: uploads.gatewayUrl })
    writeFiles('photos', 20)
    const io = await step(reconstruction({ urls: '', files: 'photos/*.jpg' }))
    expect(io.failed).toBeUndefined()
    const sent = JSON.parse(io.outputs.uploads) as Record<string, { url: string; md5: string }>
    expect(Object.keys(sent)).toHaveLength(20)
    expect(sent['photos/shot_00.jpg'].url).toMatch(/\/shot_00\.jpg$/)
    // The key went to the gateway alone; the upload service saw tokens.
    const ous = uploads.requests.filter(r => r.server === 'ous')
    expect(ous.length).toBeGreaterThan(0)
    expect(ous.some(r => r.carriedApiKey)).toBe(false)
    const created = sim.requests.filter(
      r => r.method === 'POST' && r.path.endsWith('/reconstructions')
    )
    expect(created).toHaveLength(1)
    expect(io.outputs['task-ids']).toMatch(/\S/)
  })
})

describe('World jobs', () => {
  it('creates a reconstruction with the tag in its name and x-source, and sets the outputs', async () => {
    const sim = await startWorld()
    const io = await step(reconstruction({ quality: 'high', 'use-mask': 'true' }))
    expect(io.failed).toBeUndefined()
    expect(sim.created).toHaveLength(1)
    const [made] = sim.created
    expect(made.xSource).toBe(`aholo-task-action/${ACTION_VERSION}`)
    expect(made.body).toMatchObject({
      taskQuality: 'high',
      scene: 'space',
      useMask: true,
      name: expect.stringMatching(/^Lobby \[aholo:[0-9a-f]{8}\]$/)
    })
    expect(io.outputs['task-ids']).toBe(made.worldId)
    expect(io.outputs.provider).toBe('world')
    expect(JSON.parse(io.outputs.jobs)).toEqual([
      { name: made.body.name, id: made.worldId, reused: false, files: 20, bytes: 0 }
    ])
    expect(io.summaries.join()).toContain('✅ made')
  })

  it('reuses the tagged world on a second run, with no second POST; a changed input makes a new one', async () => {
    const sim = await startWorld()
    const first = await step(reconstruction())
    const second = await step(reconstruction())
    expect(second.failed).toBeUndefined()
    expect(sim.created).toHaveLength(1)
    expect(second.outputs['task-ids']).toBe(first.outputs['task-ids'])
    expect(JSON.parse(second.outputs.jobs)[0]).toMatchObject({ reused: true })
    expect(second.lines('info')).toContainEqual(
      expect.stringMatching(/^Reusing world W\w+ \(PENDING\) for "Lobby"/)
    )
    expect(second.summaries.join()).toContain('♻️ reused')
    const posts = sim.requests.filter(r => r.method === 'POST' && !r.path.endsWith('/list'))
    expect(posts).toHaveLength(1)

    await step(reconstruction({ quality: 'low' }))
    expect(sim.created).toHaveLength(2)
  })

  it('makes a world again when the tagged one failed', async () => {
    const sim = await startWorld({ createdTimeline: [{ at: 0, status: 'FAILED' }] })
    await step(reconstruction())
    const again = await step(reconstruction())
    expect(again.failed).toBeUndefined()
    expect(sim.created).toHaveLength(2)
    expect(again.lines('info')).toContainEqual(
      expect.stringMatching(/with tag \[aholo:[0-9a-f]{8}\] ended FAILED; making "Lobby" again/)
    )
  })

  it('finds the world of a POST whose answer was lost by its tag, and does not make it twice', async () => {
    const sim = await startWorld()
    sim.injectCreateFaults({ kind: 'lose-answer' })
    const io = await step(reconstruction())
    expect(io.failed).toBeUndefined()
    expect(sim.created).toHaveLength(1)
    expect(io.outputs['task-ids']).toBe(sim.created[0].worldId)
    expect(io.lines('info')).toContainEqual(
      expect.stringContaining("the last request's answer was lost")
    )
  })

  it('sends again after a dropped connection that made nothing, once the tag is not found', async () => {
    const sim = await startWorld()
    // The POST's connection is reset before anything is made: its fate is unknown to the step.
    sim.injectCreateFaults({ kind: 'reset' })
    const io = await step(reconstruction())
    expect(io.failed).toBeUndefined()
    expect(sim.created).toHaveLength(1)
    const outcomes = sim.requests.map(r => `${r.path.replace(/^.*\//, '')} ${r.outcome}`)
    expect(outcomes).toEqual([
      'list ok',
      'reconstructions reset',
      'list ok',
      'reconstructions created'
    ])
  })

  it('looks for the tag after a 502 before sending again, as a gateway may answer so after the world was made', async () => {
    const sim = await startWorld()
    sim.injectCreateFaults({ kind: 'status', status: 502 })
    const io = await step(reconstruction())
    expect(io.failed).toBeUndefined()
    const outcomes = sim.requests.map(r => `${r.path.replace(/^.*\//, '')} ${r.outcome}`)
    expect(outcomes).toEqual([
      'list ok',
      'reconstructions status',
      'list ok',
      'reconstructions created'
    ])
    expect(sim.created).toHaveLength(1)
  })

  it('retries a 429 after the Retry-After the gateway asked for', async () => {
    const sim = await startWorld()
    // Answered to the tag search, then to the POST.
    sim.injectFaults({ kind: 'rate-limit', retryAfter: '7' })
    sim.injectCreateFaults({ kind: 'rate-limit', retryAfter: '11' })
    const io = await step(reconstruction())
    expect(io.failed).toBeUndefined()
    expect(time.sleeps).toEqual([7000, 11_000])
    expect(sim.created).toHaveLength(1)
    expect(io.lines('warning')).toContainEqual(
      expect.stringMatching(/HTTP 429 RESOURCE_EXHAUSTED.*retrying in 7s/)
    )
  })

  it('fails at once for insufficient credits, setting the outputs and saying what to do', async () => {
    const sim = await startWorld({ credits: { main: 1 } })
    await step(reconstruction({ name: 'First' }))
    const io = await step(reconstruction({ name: 'Second' }))
    expect(io.failed).toMatch(
      /^The Aholo account has too few credits for world "Second \[aholo:[0-9a-f]{8}\]": HTTP 400 INVALID_ARGUMENT: Insufficient credits \(.*bizCode 11003/
    )
    expect(io.failed).toContain('Top up the account')
    expect(time.sleeps).toEqual([])
    expect(io.outputs['task-ids']).toBe('')
    expect(io.outputs.jobs).toBe('[]')
    expect(sim.created).toHaveLength(1)
  })

  it('creates nothing when the gateway refuses to list the worlds, as it could pay twice', async () => {
    const sim = await startWorld()
    const body = JSON.stringify(apiError(403, 'Permission denied'))
    sim.injectFaults({ kind: 'status', status: 403, body })
    const io = await step(reconstruction())
    expect(io.failed).toMatch(
      /^The gateway refuses to list the account's worlds \(.*HTTP 403 PERMISSION_DENIED.*\), so the action cannot tell whether a job was made before; nothing was created/
    )
    expect(sim.created).toEqual([])
  })

  it('creates a generation from a prompt and an image link', async () => {
    const sim = await startWorld()
    const io = await step({
      job: 'generation',
      'api-key': DEFAULT_API_KEY,
      'api-url': sim.url,
      prompt: 'a sunny loft',
      image: 'https://cdn.example.com/loft.webp'
    })
    expect(io.failed).toBeUndefined()
    expect(sim.created[0]).toMatchObject({
      path: '/generations',
      body: {
        prompt: 'a sunny loft',
        resources: [{ url: 'https://cdn.example.com/loft.webp', type: 'image' }]
      }
    })
  })

  it('never prints the api-key, even when the gateway echoes it', async () => {
    await startWorld({ echoKeyInErrors: true })
    const key = 'wrong-key-abcdef0123456789'
    const io = await step(reconstruction({ 'api-key': key }))
    expect(io.failed).toMatch(/refused the API key/)
    expect(io.secrets).toEqual([key])
    expect(io.visibleText()).not.toContain(key)
  })
})

describe('Lux3D jobs', () => {
  async function startLux3d(
    options: Parameters<typeof startLux3dCreateSim>[0] = {}
  ): Promise<Lux3dCreateSim> {
    lux3d = await startLux3dCreateSim({ now: time.now, ...options })
    return lux3d
  }
  const imageTo3d = (extra: Inputs = {}): Inputs => ({
    job: 'image-to-3d',
    'api-key': DEFAULT_API_KEY,
    'api-url': lux3d?.url ?? '',
    image: 'https://cdn.example.com/chair.png',
    'output-format': 'glb\nply',
    ...extra
  })

  it('keeps a task id past 2^53 exact', async () => {
    const sim = await startLux3d()
    const io = await step(imageTo3d())
    expect(io.failed).toBeUndefined()
    expect(io.outputs['task-ids']).toBe('9007199254740993')
    expect(io.outputs.provider).toBe('lux3d')
    expect(sim.created[0].body).toEqual({
      img: 'https://cdn.example.com/chair.png',
      version: 'G1',
      outputFormat: ['glb', 'ply']
    })
    expect(sim.created[0].xSource).toBe(`aholo-task-action/${ACTION_VERSION}`)
  })

  it.each(['c', 'm', '429'] as const)(
    'waits over the quota (told in %s) for one of two tasks in progress to finish, then creates',
    async quotaStyle => {
      const sim = await startLux3d({ quota: 2, quotaStyle })
      const first = sim.addRunningTask(40_000)
      sim.addRunningTask(100_000)
      const io = await step({
        job: 'text-to-3d',
        'api-key': DEFAULT_API_KEY,
        'api-url': sim.url,
        prompt: 'a lamp'
      })
      expect(io.failed).toBeUndefined()
      expect(sim.created).toHaveLength(1)
      expect(time.sleeps).toEqual([15_000, 15_000, 15_000])
      expect(io.outputs['task-ids']).toBe(sim.created[0].taskId)
      expect(BigInt(sim.created[0].taskId)).toBeGreaterThan(BigInt(first))
      expect(io.lines('info')).toContainEqual(
        expect.stringMatching(/at its limit of tasks in progress .*2 in progress/)
      )
    }
  )

  it('stops waiting for the quota at the timeout, saying so, with nothing created', async () => {
    const sim = await startLux3d({ quota: 1 })
    sim.addRunningTask(10 * 60_000)
    const io = await step({
      job: 'text-to-3d',
      'api-key': DEFAULT_API_KEY,
      'api-url': sim.url,
      prompt: 'a lamp',
      timeout: '40s'
    })
    expect(io.failed).toMatch(
      /^the text-to-3d task: the account stayed at its limit of Lux3D tasks in progress until 'timeout' ran out; nothing was created\. Raise 'timeout'/
    )
    expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(40_000)
    expect(sim.created).toHaveLength(0)
    expect(io.outputs).toMatchObject({ 'task-ids': '', provider: 'lux3d' })
  })

  it('does not send again after a lost answer, and says that a task may have been created', async () => {
    const sim = await startLux3d()
    sim.injectFaults({ kind: 'lose-answer' })
    const io = await step(imageTo3d())
    expect(io.failed).toMatch(/a Lux3D task may have been created\. It is not asked for again/)
    expect(sim.created).toHaveLength(1)
    expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(1)
    expect(io.outputs['task-ids']).toBe('')
  })

  it('stops at a cancel while waiting for the quota, within the step, with the outputs set', async () => {
    const sim = await startLux3d({ quota: 1 })
    sim.addRunningTask(10 * 60_000)
    const cancel = new AbortController()
    const sleep = time.sleep
    time.sleep = async (ms, signal) => {
      if (time.sleeps.length === 2) cancel.abort(new Error('Cancelled: received SIGINT'))
      return sleep(ms, signal)
    }
    const io = await step(
      { job: 'text-to-3d', 'api-key': DEFAULT_API_KEY, 'api-url': sim.url, prompt: 'a lamp' },
      cancel.signal
    )
    expect(io.failed).toBe('Cancelled: received SIGINT')
    expect(io.outputs).toMatchObject({ 'task-ids': '', provider: 'lux3d', jobs: '[]' })
    expect(sim.created).toHaveLength(0)
  })
})
