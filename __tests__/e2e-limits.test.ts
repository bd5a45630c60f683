/**
 * The bundle under the conditions that broke it before (issue 7 and 9): a proxy that never
 * answers CONNECT, a GitHub API that never answers, a cancel during downloads, thousands of
 * failing downloads through a pipe. Needs `npm run build` first.
 */
import { existsSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { startGitHubApi, type GitHubApiStub } from '../sim/github-api.js'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { BUNDLE, runAction } from '../sim/runner.js'
import { startStallServer, type StallServer } from './support/stall-servers.js'

const PLY = path.resolve('__fixtures__/splats/ply/st_1k_sh3.ply')
let sim: AholoSim

beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first.`)
})
beforeEach(async () => {
  sim = await startAholoSim()
})
afterEach(async () => {
  await sim.close()
})

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'task-ids': 'T1',
    'app-key': DEFAULT_CREDENTIALS.appKey,
    'app-secret': DEFAULT_CREDENTIALS.appSecret,
    'app-uid': DEFAULT_CREDENTIALS.appUid,
    'api-url': sim.url,
    'poll-interval': '100ms',
    timeout: '30s',
    ...extra
  }
}

describe('behind a proxy that never answers CONNECT', () => {
  let proxy: StallServer
  beforeEach(async () => {
    proxy = await startStallServer()
  })
  afterEach(async () => {
    await proxy.close()
  })

  const behindProxy = (): Record<string, string> => ({
    HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`
  })

  it('keeps the timeout: the step ends at the deadline with outputs and a summary', async () => {
    const run = await runAction({
      inputs: inputs({ 'api-url': 'https://aholo.example.invalid', timeout: '3s' }),
      env: behindProxy()
    })
    expect(proxy.received().toString()).toContain('CONNECT aholo.example.invalid:443')
    expect(run.wallMs).toBeGreaterThan(2900)
    expect(run.wallMs).toBeLessThan(6000)
    expect(run.exitCode).toBe(1)
    expect(run.outputs.state).toBe('timed-out')
    expect(run.summary).toContain('timed out')
  })

  it('ends within two seconds of a SIGINT, with state cancelled', async () => {
    let signalledAt = 0
    const run = await runAction({
      inputs: inputs({ 'api-url': 'https://aholo.example.invalid', timeout: '1m' }),
      env: behindProxy(),
      onStart: child =>
        setTimeout(() => {
          signalledAt = performance.now()
          child.kill('SIGINT')
        }, 1500)
    })
    expect(signalledAt).toBeGreaterThan(0)
    expect(performance.now() - signalledAt).toBeLessThan(2000)
    expect(run.outputs.state).toBe('cancelled')
    expect(run.summary).toContain('cancelled')
  })
})

describe('with a GitHub API that never answers', () => {
  let github: GitHubApiStub
  beforeEach(async () => {
    github = await startGitHubApi()
  })
  afterEach(async () => {
    await github.close()
  })

  const runnerEnv = (): Record<string, string> => ({
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: 'octo-org/splat-pipeline',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_RUN_ID: '1'
  })

  it('polls at once, without waiting for the check run', async () => {
    github.behave('create', { hang: true })
    sim.addTask('T1', [3])
    let spawnedAt = 0
    let firstAnswerAfter = 0
    const run = await runAction({
      inputs: inputs({ 'github-token': 'ghs_neverPrintedToken' }),
      env: runnerEnv(),
      onStart: () => (spawnedAt = performance.now()),
      onStdout: text => {
        if (!firstAnswerAfter && text.includes('T1: succeeded')) {
          firstAnswerAfter = performance.now() - spawnedAt
        }
      }
    })
    expect(firstAnswerAfter).toBeGreaterThan(0)
    expect(firstAnswerAfter).toBeLessThan(3000)
    expect(run.outputs.state).toBe('succeeded')
    expect(run.exitCode).toBe(0)
  })

  it('exits non-zero with state cancelled for a SIGINT during the completing call of the check run', async () => {
    github.behave('update', { hang: true, completingOnly: true })
    sim.addTask('T1', [3])
    const completing = (): boolean =>
      github.requests.some(request => (request.body as { status?: string }).status === 'completed')
    let signalledAt = 0
    const run = await runAction({
      inputs: inputs({ 'github-token': 'ghs_neverPrintedToken' }),
      env: runnerEnv(),
      onStart: child => {
        const timer = setInterval(() => {
          if (!completing()) return
          clearInterval(timer)
          signalledAt = performance.now()
          child.kill('SIGINT')
        }, 20)
        child.on('exit', () => clearInterval(timer))
      }
    })
    expect(signalledAt).toBeGreaterThan(0)
    expect(performance.now() - signalledAt).toBeLessThan(2500)
    expect(run.exitCode).toBe(1)
    expect(run.outputs.state).toBe('cancelled')
    expect(run.stdout).toContain(
      '::error::The run was cancelled while the check run was being completed.'
    )
    expect(run.summary).toContain(
      '🚫 The run was cancelled while the check run was being completed.'
    )
  })

  it('lets a SIGINT end the step within two seconds, the check run still hanging', async () => {
    github.behave('create', { hang: true })
    github.behave('update', { hang: true })
    sim.addTask('T1', [2])
    let signalledAt = 0
    const run = await runAction({
      inputs: inputs({
        'github-token': 'ghs_neverPrintedToken',
        timeout: '10m',
        'poll-interval': '5s'
      }),
      env: runnerEnv(),
      onStdout: text => {
        if (!signalledAt && text.includes('T1: running')) signalledAt = performance.now()
      },
      onStart: child => {
        const timer = setInterval(() => {
          if (signalledAt) {
            clearInterval(timer)
            child.kill('SIGINT')
          }
        }, 20)
      }
    })
    expect(performance.now() - signalledAt).toBeLessThan(2000)
    expect(run.outputs.state).toBe('cancelled')
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('ghs_neverPrintedToken')
  })
})

describe('cancelled during downloads', () => {
  it('reports cancelled, lists the file that finished and verified, and leaves no partial file', async () => {
    sim.addTask('T1', { timeline: [3], formats: ['ply', 'spz'] })
    sim.addAsset(sim.assetPath('T1', 'ply'), { kind: 'file', path: PLY })
    // Large enough to still be arriving when the signal comes.
    sim.addAsset(sim.assetPath('T1', 'spz'), { kind: 'generated', bytes: 8 * 1024 ** 3 })
    let signalledAt = 0
    const run = await runAction({
      inputs: inputs({ download: 'ply spz' }),
      onStdout: text => {
        if (!signalledAt && /T1 PLY: .* to /.test(text)) signalledAt = performance.now()
      },
      onStart: child => {
        const timer = setInterval(() => {
          if (signalledAt) {
            clearInterval(timer)
            setTimeout(() => child.kill('SIGINT'), 200)
          }
        }, 20)
      }
    })
    expect(signalledAt).toBeGreaterThan(0)
    expect(performance.now() - signalledAt).toBeLessThan(2500)
    expect(run.outputs.state).toBe('cancelled')
    expect(run.summary).toContain('cancelled')
    const [result] = JSON.parse(run.outputs.results)
    expect(result.files.map((file: { format: string }) => file.format)).toEqual(['ply'])
    const folder = path.join(run.workspace, 'aholo-assets', 'T1')
    expect(readdirSync(folder)).toEqual(['point_cloud.ply'])
  })
})

describe('thousands of failing downloads', () => {
  it('keeps the summary under 1 MiB and every log line under 64 KiB, and drains stdout through the pipe', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `TASK${String(i).padStart(6, '0')}`)
    for (const id of ids) {
      sim.addTask(id, [3])
      for (const format of ['ply', 'spz', 'sog'] as const) {
        sim.injectAssetFaults(sim.assetPath(id, format), {
          kind: 'status',
          status: 403,
          body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
        })
      }
    }
    const run = await runAction({
      inputs: inputs({ 'task-ids': ids.join('\n'), download: 'all', timeout: '5m' })
    })
    expect(run.exitCode).toBe(1)
    expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(1024 * 1024)
    const lines = run.stdout.split('\n')
    expect(Math.max(...lines.map(line => Buffer.byteLength(line)))).toBeLessThanOrEqual(64 * 1024)
    // The step's last words are its error line, whole: nothing was cut by exiting early.
    const last = lines.filter(Boolean).at(-1) ?? ''
    expect(last).toMatch(/^::error::/)
    expect(run.stdout.endsWith('\n')).toBe(true)
    expect(run.stdout).toContain('6000 of 6000 downloads failed')
    expect(JSON.parse(run.outputs.failed)).toEqual([])
  }, 180_000)
})
