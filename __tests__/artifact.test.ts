import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import {
  ArtifactEnvironmentError,
  ArtifactNameClashError,
  ArtifactTimeoutError,
  type ArtifactUpload,
  uploadArtifact
} from '../src/assets/artifact.js'
import { CancelledError } from '../src/errors.js'
import { type Azurite, startAzurite } from '../sim/azurite.js'
import { NAME_EXISTS_MESSAGE, readZip, ResultsService, runnerEnv } from '../sim/results-service.js'

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SPLATS = path.join(PROJECT_ROOT, '__fixtures__', 'splats')

// Two tasks laid out as the downloader leaves them: <download-dir>/<taskId>/<file name>.
const DOWNLOADS: Record<string, string[]> = {
  '3FO4K4WBNNYV': ['ply/st_1k_sh3.ply', 'spz/v4_1k_sh3.spz', 'sog/bundled_1k_sh3.sog'],
  '3FO4K4WBNNZA': ['ply/input_1k_sh0.ply', 'spz/v4_1k_sh0.spz', 'sog/bundled_1k_sh0.sog']
}

let azurite: Azurite
let service: ResultsService
let downloadDir: string
let files: string[]
let restoreStdout: () => void
/** The runner's variables, as each test finds them in process.env (the client reads it). */
let env: Record<string, string>
let savedEnv: Record<string, string | undefined>

beforeAll(async () => {
  // The toolkit logs every step with core.info, straight to stdout.
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof write
  restoreStdout = () => (process.stdout.write = write)

  azurite = await startAzurite()
  service = await ResultsService.start(azurite)
  downloadDir = mkdtempSync(path.join(tmpdir(), 'artifact-test-'))
  files = []
  for (const [taskId, fixtures] of Object.entries(DOWNLOADS)) {
    mkdirSync(path.join(downloadDir, taskId))
    for (const fixture of fixtures) {
      const file = path.join(downloadDir, taskId, path.basename(fixture))
      copyFileSync(path.join(SPLATS, fixture), file)
      files.push(file)
    }
  }
  env = runnerEnv(service)
})

// Jest gives each test file its own process.env; each test gets the runner's variables in it,
// and the values they replaced back afterwards.
beforeEach(() => {
  savedEnv = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]))
  Object.assign(process.env, env)
})

afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  // An upload a test abandoned ends now instead of lingering.
  service.release()
})

afterAll(async () => {
  restoreStdout?.()
  await service?.stop()
  await azurite?.stop()
  if (downloadDir) rmSync(downloadDir, { recursive: true, force: true })
})

function upload(name: string, extra: Partial<ArtifactUpload> = {}): ArtifactUpload {
  return { name, rootDirectory: downloadDir, files, ...extra }
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

describe('uploadArtifact', () => {
  it('uploads one ZIP holding exactly the downloaded files, each under its task folder, byte for byte', async () => {
    await uploadArtifact(upload('aholo-assets'))

    const entries = readZip(await service.readArtifact('aholo-assets'))
    const expected = files.map(file => path.relative(downloadDir, file).split(path.sep).join('/'))
    expect(entries.map(entry => entry.name).sort()).toEqual(expected.sort())
    for (const entry of entries) {
      expect(sha256(entry.data)).toBe(sha256(readFileSync(path.join(downloadDir, entry.name))))
    }
  })

  it('returns the id the service assigned, the artifact URL on the run page, the digest and size of the ZIP', async () => {
    const result = await uploadArtifact(upload('outputs-check'))

    const record = service.artifact('outputs-check')
    const blob = await service.readArtifact('outputs-check')
    expect(record?.finalized).toBe(true)
    expect(result).toEqual({
      id: record?.id,
      url: `https://github.com/octo-org/splat-pipeline/actions/runs/9876543210/artifacts/${record?.id}`,
      digest: sha256(blob),
      size: blob.length
    })
    expect(record?.hash).toBe(`sha256:${sha256(blob)}`)
    expect(record?.size).toBe(String(blob.length))
    expect(record?.mimeType).toBe('application/zip')
  })

  it('authenticates to the results service with the runtime token', async () => {
    await uploadArtifact(upload('token-check'))

    const calls = service.calls.filter(call => call.body.name === 'token-check')
    expect(calls.map(call => call.method)).toEqual(['CreateArtifact', 'FinalizeArtifact'])
    for (const call of calls) expect(call.authorization).toBe(`Bearer ${env.ACTIONS_RUNTIME_TOKEN}`)
  })

  it('asks the service to expire the artifact after the retention days given', async () => {
    const before = Date.now()
    await uploadArtifact(upload('kept-5-days', { retentionDays: 5 }))

    const expiresAt = Date.parse(service.artifact('kept-5-days')?.expiresAt ?? '')
    const fiveDays = 5 * 24 * 3600_000
    // The client adds calendar days in local time: allow a DST shift of an hour.
    expect(expiresAt).toBeGreaterThanOrEqual(before + fiveDays - 3600_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + fiveDays + 3600_000)
  })

  // What actions/upload-artifact does: days above 90 go to the client, and the runner's
  // GITHUB_RETENTION_DAYS (the repository's setting) caps them there.
  it.each([
    ['passes 400 days on when the runner sets no limit', undefined, 400, 400],
    ['passes 120 days on when the repository allows 400', '400', 120, 120],
    ['caps 400 days at the repository setting of 200', '200', 400, 200]
  ])('%s', async (_, limit, asked, days) => {
    const name = `retention-${asked}-${limit ?? 'none'}`
    const saved = process.env.GITHUB_RETENTION_DAYS
    if (limit === undefined) delete process.env.GITHUB_RETENTION_DAYS
    else process.env.GITHUB_RETENTION_DAYS = limit
    const before = Date.now()
    try {
      await uploadArtifact(upload(name, { retentionDays: asked }))
    } finally {
      if (saved === undefined) delete process.env.GITHUB_RETENTION_DAYS
      else process.env.GITHUB_RETENTION_DAYS = saved
    }

    const expiresAt = Date.parse(service.artifact(name)?.expiresAt ?? '')
    const span = days * 24 * 3600_000
    expect(expiresAt).toBeGreaterThanOrEqual(before + span - 3600_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + span + 3600_000)
  })

  it('leaves the expiry to the repository default when no retention is given', async () => {
    await uploadArtifact(upload('default-retention'))

    expect(service.artifact('default-retention')?.finalized).toBe(true)
    expect(service.artifact('default-retention')?.expiresAt).toBeUndefined()
  })

  it('reports a name the run already has as a clash that names it and suggests a unique one', async () => {
    await uploadArtifact(upload('taken'))

    const clash = await uploadArtifact(upload('taken')).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(clash).toBeInstanceOf(ArtifactNameClashError)
    const { message, cause } = clash as ArtifactNameClashError
    expect(message).toContain('"taken" already exists')
    expect(message).toContain('taken-${{ github.run_attempt }}')
    expect(String(cause)).toContain(NAME_EXISTS_MESSAGE)
    // The service answered once with 409 and nothing was retried.
    const creates = service.calls.filter(
      c => c.method === 'CreateArtifact' && c.body.name === 'taken'
    )
    expect(creates.map(call => call.status)).toEqual([200, 409])
  })

  it('fails before any request when the runner did not provide ACTIONS_RUNTIME_TOKEN', async () => {
    const calls = service.calls.length
    delete process.env.ACTIONS_RUNTIME_TOKEN

    const failure = uploadArtifact(upload('no-token'))

    await expect(failure).rejects.toBeInstanceOf(ArtifactEnvironmentError)
    await expect(failure).rejects.toThrow(
      /needs ACTIONS_RUNTIME_TOKEN in the environment.*'uses:'.*'upload-artifact' to false/
    )
    expect(service.calls.length).toBe(calls)
  })

  it('refuses a file outside the download directory, naming it', async () => {
    const outside = path.join(SPLATS, 'ply', 'st_1k_sh3.ply')

    await expect(uploadArtifact(upload('outside', { files: [outside] }))).rejects.toThrow(
      `Cannot upload ${outside}: it is not inside ${downloadDir}.`
    )
    expect(service.artifact('outside')).toBeUndefined()
  })

  it('leaves process.env as it found it', async () => {
    const before = { ...process.env }

    await uploadArtifact(upload('env-untouched'))

    expect(process.env).toEqual(before)
  })

  it.each([
    [0, 'stored (method 0)', 0],
    [6, 'deflated (method 8)', 8]
  ])('writes the ZIP at compression level %i: every entry %s', async (level, _label, method) => {
    const name = `level-${level}`
    await uploadArtifact(upload(name, { compressionLevel: level }))

    const entries = readZip(await service.readArtifact(name))
    expect(entries).toHaveLength(files.length)
    expect(entries.map(entry => entry.method)).toEqual(files.map(() => method))
    for (const entry of entries) {
      expect(sha256(entry.data)).toBe(sha256(readFileSync(path.join(downloadDir, entry.name))))
    }
  })

  it('refuses a compression level outside 0-9 before any request', async () => {
    const calls = service.calls.length

    await expect(uploadArtifact(upload('level-10', { compressionLevel: 10 }))).rejects.toThrow(
      'The compression level must be a whole number from 0 to 9; got 10.'
    )
    expect(service.calls.length).toBe(calls)
  })
})

describe('uploadArtifact under a time limit and a cancel', () => {
  /** Settles `promise`; how long after `from()` it took, and what it rejected with. */
  async function settle(
    promise: Promise<unknown>,
    from: () => number
  ): Promise<{ ms: number; error: unknown }> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught
    )
    return { ms: performance.now() - from(), error }
  }

  async function waitFor(condition: () => boolean, what: string): Promise<void> {
    for (let tries = 0; tries < 1000; tries++) {
      if (condition()) return
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    throw new Error(`timed out waiting for ${what}`)
  }

  const created = (name: string): boolean =>
    service.calls.some(call => call.method === 'CreateArtifact' && call.body.name === name)

  it('a CreateArtifact that never answers ends at the time limit', async () => {
    service.faults = { hangCreateArtifact: true }
    const started = performance.now()

    const { ms, error } = await settle(
      uploadArtifact(upload('never-created'), { timeLimitMs: 1000 }),
      () => started
    )

    expect(error).toBeInstanceOf(ArtifactTimeoutError)
    expect((error as Error).message).toBe('The artifact upload did not finish within 1s')
    expect(ms).toBeGreaterThanOrEqual(990)
    expect(ms).toBeLessThan(2500)
    expect(created('never-created')).toBe(true)
    expect(service.artifact('never-created')).toBeUndefined()
  })

  it('a cancel while CreateArtifact goes unanswered ends the upload within a second', async () => {
    service.faults = { hangCreateArtifact: true }
    const controller = new AbortController()
    const reason = new CancelledError()
    const pending = uploadArtifact(upload('cancelled-create'), {
      signal: controller.signal,
      timeLimitMs: 60_000
    })
    await waitFor(() => created('cancelled-create'), 'CreateArtifact')
    const cancelledAt = performance.now()
    controller.abort(reason)

    const { ms, error } = await settle(pending, () => cancelledAt)

    expect(error).toBe(reason)
    expect(ms).toBeLessThan(1000)
  })

  it('a cancel while the blob store is slow ends the upload within a second, unfinalized', async () => {
    service.faults = { blobDelayMs: 60_000 }
    const before = service.blobRequests
    const controller = new AbortController()
    const reason = new CancelledError()
    const pending = uploadArtifact(upload('slow-store'), {
      signal: controller.signal,
      timeLimitMs: 120_000
    })
    await waitFor(() => service.blobRequests > before, 'the first blob request')
    const cancelledAt = performance.now()
    controller.abort(reason)

    const { ms, error } = await settle(pending, () => cancelledAt)

    expect(error).toBe(reason)
    expect(ms).toBeLessThan(1000)
    expect(service.artifact('slow-store')?.finalized).toBe(false)
  })

  it('a slow blob store ends at the time limit', async () => {
    service.faults = { blobDelayMs: 60_000 }
    const started = performance.now()

    const { ms, error } = await settle(
      uploadArtifact(upload('slow-store-limit'), { timeLimitMs: 1500 }),
      () => started
    )

    expect(error).toBeInstanceOf(ArtifactTimeoutError)
    expect(ms).toBeGreaterThanOrEqual(1490)
    expect(ms).toBeLessThan(3000)
    expect(service.artifact('slow-store-limit')?.finalized).toBe(false)
  })

  it('a cancel before the upload starts sends nothing', async () => {
    const controller = new AbortController()
    const reason = new CancelledError()
    controller.abort(reason)
    const calls = service.calls.length

    await expect(
      uploadArtifact(upload('cancelled-early'), { signal: controller.signal })
    ).rejects.toBe(reason)
    expect(service.calls.length).toBe(calls)
  })
})

describe('loading the artifact client', () => {
  it('happens when an upload starts, not when the module is imported', async () => {
    // A fresh process: archiver is CommonJS and only @actions/artifact imports it, so its
    // presence in the CommonJS cache shows whether the client was loaded.
    const script = `
      import { createRequire } from 'node:module'
      const loaded = () => Object.keys(createRequire(import.meta.url).cache)
        .some(file => file.includes('/node_modules/archiver/'))
      const { uploadArtifact } = await import('./src/assets/artifact.ts')
      const before = loaded()
      const upload = { name: 'x', rootDirectory: process.cwd(), files: [process.cwd() + '/package.json'] }
      await uploadArtifact(upload, { timeLimitMs: 10000 }).catch(() => {})
      console.log('LOADED ' + JSON.stringify({ before, after: loaded() }))
    `
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, ...env, ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/' }
      }
    )

    const line = stdout.split('\n').find(text => text.startsWith('LOADED '))
    expect(JSON.parse(line?.slice('LOADED '.length) ?? '{}')).toEqual({
      before: false,
      after: true
    })
  })
})
