/**
 * The bundle with downloads, the artifact upload and the check run, each against a real local
 * server: the simulated Aholo service serving the real fixtures, a results-service stand-in
 * writing to Azurite, and a stand-in of GitHub's check-run endpoints.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { type Azurite, startAzurite } from '../sim/azurite.js'
import { type GitHubApiStub, startGitHubApi } from '../sim/github-api.js'
import { readZip, ResultsService, runnerEnv } from '../sim/results-service.js'
import { PROJECT_ROOT, runAction } from '../sim/runner.js'

const FIXTURES = path.join(PROJECT_ROOT, '__fixtures__', 'splats')
const TOKEN = 'ghs_e2eTokenThatMustNeverBePrinted'
const HEAD_SHA = 'a'.repeat(40)
const TASKS = {
  T1: { ply: 'ply/input_1k_sh0.ply', spz: 'spz/v4_1k_sh0.spz', sog: 'sog/bundled_1k_sh0.sog' },
  T2: {
    ply: 'ply/st_1k_sh3.compressed.ply',
    spz: 'spz/v3_1k_sh3.spz',
    sog: 'sog/bundled_1k_sh3.sog'
  }
} as const

let sim: AholoSim
let azurite: Azurite
let results: ResultsService
let github: GitHubApiStub

beforeAll(async () => {
  azurite = await startAzurite()
  results = await ResultsService.start(azurite)
}, 60_000)
afterAll(async () => {
  await results?.stop()
  await azurite?.stop()
})
beforeEach(async () => {
  sim = await startAholoSim()
  github = await startGitHubApi()
})
afterEach(async () => {
  await sim.close()
  await github.close()
})

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function pullRequestEnv(): Record<string, string> {
  const eventPath = path.join(mkdtempSync(path.join(tmpdir(), 'aholo-event-')), 'event.json')
  writeFileSync(eventPath, JSON.stringify({ pull_request: { head: { sha: HEAD_SHA } } }))
  return {
    ...runnerEnv(results),
    GITHUB_API_URL: github.url,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: 'b'.repeat(40)
  }
}

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    'task-ids': 'T1 T2',
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'poll-interval': '50ms',
    timeout: '30s',
    'github-token': TOKEN,
    ...extra
  }
}

describe('dist/index.js with downloads, artifact and check run', () => {
  it('downloads all three formats for two tasks, verifies them, uploads them and completes the check run', async () => {
    for (const [taskId, files] of Object.entries(TASKS)) {
      sim.addTask(taskId, [2, 3])
      for (const [format, file] of Object.entries(files)) {
        sim.addAsset(sim.assetPath(taskId, format as 'ply'), {
          kind: 'file',
          path: path.join(FIXTURES, file)
        })
      }
    }
    const run = await runAction({
      inputs: inputs({
        download: 'all',
        'upload-artifact': 'true',
        'artifact-name': 'splats-e2e',
        'retention-days': '3'
      }),
      env: pullRequestEnv()
    })

    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const downloadDir = path.join(run.workspace, 'aholo-assets')
    expect(run.outputs['download-dir']).toBe(downloadDir)
    const taskResults = JSON.parse(run.outputs.results) as Array<{
      taskId: string
      files: Array<Record<string, unknown>>
    }>
    for (const task of taskResults) {
      const expected = TASKS[task.taskId as keyof typeof TASKS]
      expect(task.files.map(file => file.format)).toEqual(['ply', 'spz', 'sog'])
      for (const file of task.files) {
        const fixture = path.join(FIXTURES, expected[file.format as 'ply'])
        expect(file).toMatchObject({
          path: path.join(downloadDir, task.taskId, `point_cloud.${file.format}`),
          bytes: readFileSync(fixture).length,
          sha256: sha256(fixture),
          gaussians: 1000
        })
        expect(sha256(file.path as string)).toBe(file.sha256)
      }
      // Nothing temporary is left beside the files.
      expect(readdirSync(path.join(downloadDir, task.taskId)).sort()).toEqual([
        'point_cloud.ply',
        'point_cloud.sog',
        'point_cloud.spz'
      ])
    }
    expect(taskResults[1].files.map(file => [file.version, file.shDegree])).toEqual([
      ['ply-compressed', 3],
      ['spz-v3', 3],
      ['sog-v2', 3]
    ])

    // The artifact holds exactly the downloaded files.
    const zip = readZip(await results.readArtifact('splats-e2e'))
    expect(zip.map(entry => entry.name).sort()).toEqual(
      Object.entries(TASKS)
        .flatMap(([taskId]) => ['ply', 'sog', 'spz'].map(ext => `${taskId}/point_cloud.${ext}`))
        .sort()
    )
    for (const entry of zip) {
      const [taskId, name] = entry.name.split('/')
      const fixture = TASKS[taskId as keyof typeof TASKS][name.split('.')[1] as 'ply']
      expect(entry.data.equals(readFileSync(path.join(FIXTURES, fixture)))).toBe(true)
    }
    const record = results.artifact('splats-e2e')
    expect(run.outputs['artifact-id']).toBe(String(record?.id))
    expect(run.outputs['artifact-url']).toBe(
      `https://github.com/octo-org/splat-pipeline/actions/runs/9876543210/artifacts/${record?.id}`
    )
    expect(run.outputs['artifact-digest']).toBe(
      createHash('sha256')
        .update(await results.readArtifact('splats-e2e'))
        .digest('hex')
    )

    // The check run sits on the pull request's head commit and ends with the table.
    const created = github.requests.find(request => request.method === 'POST')
    expect(created?.body).toMatchObject({
      name: 'Aholo 3D tasks',
      head_sha: HEAD_SHA,
      status: 'in_progress'
    })
    const completed = github.requests.filter(request => request.method === 'PATCH').at(-1)
    expect(completed?.body).toMatchObject({ status: 'completed', conclusion: 'success' })
    expect(JSON.stringify(completed?.body)).toContain('1,000 splats')
    expect(run.outputs['check-run-url']).toMatch(/^https?:\/\/.+\/runs\/\d+$/)

    // The sim's asset links are plain http: the summary names the file without linking it.
    expect(run.summary).toContain('SPZ (17 KiB, 1,000 splats)')
    expect(run.summary).toContain(
      'Artifact: [splats-e2e](https://github.com/octo-org/splat-pipeline/actions/runs/9876543210/artifacts/'
    )
    expect(run.stdout).toMatch(/T1 SPZ: spz-v4, 1,000 splats, SH degree 0, sha256 [0-9a-f]{64}/)
    const log = run.stdout.replace(/^::add-mask::.*$/gm, '')
    for (const text of [log, run.summary, JSON.stringify(run.outputs)])
      expect(text).not.toContain(TOKEN)
  }, 60_000)

  it('fails on an HTML page served as a splat, naming the task, format, URL and reason, leaves no file, and uploads the good file', async () => {
    const brokenUrl = `${sim.url}/cdn/T1/model.spz?token=signed-secret-query`
    sim.addTask('T1', [
      { status: 3, result: { plyPath: sim.assetUrl('T1', 'ply'), spzPath: brokenUrl } }
    ])
    sim.addAsset(sim.assetPath('T1', 'ply'), {
      kind: 'file',
      path: path.join(FIXTURES, 'ply/input_1k_sh0.ply')
    })
    sim.addAsset('/cdn/T1/model.spz', {
      kind: 'file',
      path: path.join(FIXTURES, 'bad/html_error.spz'),
      contentType: 'text/html'
    })
    const run = await runAction({
      inputs: inputs({
        'task-ids': 'T1',
        download: 'ply spz',
        'upload-artifact': 'true',
        'artifact-name': 'partial'
      }),
      env: pullRequestEnv()
    })

    expect(run.exitCode).toBe(1)
    const error = run.stdout.split('\n').find(line => line.startsWith('::error::')) ?? ''
    expect(error).toContain(`Task T1, SPZ from ${sim.url}/cdn/T1/model.spz:`)
    expect(error).toMatch(/HTML/)
    expect(error).toContain('The artifact partial holds the other file.')
    expect(run.stdout).not.toContain('signed-secret-query')
    expect(existsSync(path.join(run.workspace, 'aholo-assets', 'T1', 'model.spz'))).toBe(false)
    expect(readdirSync(path.join(run.workspace, 'aholo-assets', 'T1'))).toEqual(['point_cloud.ply'])
    expect(readZip(await results.readArtifact('partial')).map(entry => entry.name)).toEqual([
      'T1/point_cloud.ply'
    ])
    expect(run.outputs['artifact-id']).not.toBe('')
    // The good file is still reported; the step fails for the bad one.
    const [task] = JSON.parse(run.outputs.results) as Array<{ files: Array<{ format: string }> }>
    expect(task.files.map(file => file.format)).toEqual(['ply'])
    expect(run.outputs.state).toBe('succeeded')
    const completed = github.requests.filter(request => request.method === 'PATCH').at(-1)
    expect(completed?.body).toMatchObject({ status: 'completed', conclusion: 'failure' })
  }, 60_000)

  it('warns about a token without checks: write and keeps its own outcome', async () => {
    sim.addTask('T1', [3])
    github.failAlways({ kind: 'forbidden' })
    const run = await runAction({ inputs: inputs({ 'task-ids': 'T1' }), env: pullRequestEnv() })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.state).toBe('succeeded')
    expect(run.outputs['check-run-url']).toBe('')
    expect(run.stdout.match(/::warning::.*checks: write/g)).toHaveLength(1)
    expect(github.requests).toHaveLength(1)
  }, 30_000)
})
