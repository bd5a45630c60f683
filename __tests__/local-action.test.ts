/**
 * GitHub's own tool for running an action locally, `npx @github/local-action . src/main.ts .env`,
 * as CONTRIBUTING shows it: it stubs @actions/core, reads inputs from the .env file and calls
 * the entrypoint's `run()` with no arguments. Run once, against the simulated open platform.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { PROJECT_ROOT } from '../sim/runner.js'

const LOCAL_ACTION = path.join(
  PROJECT_ROOT,
  'node_modules/@github/local-action/bin/local-action.js'
)

let sim: AholoSim
let home: string

beforeAll(async () => {
  sim = await startAholoSim()
  home = mkdtempSync(path.join(tmpdir(), 'aholo-local-action-'))
})
afterAll(async () => {
  await sim.close()
  rmSync(home, { recursive: true, force: true })
})

function runLocalAction(envFile: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [LOCAL_ACTION, '.', 'src/main.ts', envFile], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? home },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  return new Promise(resolve => child.on('close', code => resolve({ code, stdout })))
}

/** What `core.setOutput` printed, by name (local-action's stub prints `::set-output`). */
function outputsIn(stdout: string): Record<string, string> {
  return Object.fromEntries(
    [...stdout.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)].map(([, name, value]) => [
      name,
      value
    ])
  )
}

it('runs the action with run() and no arguments, inputs from the .env file', async () => {
  sim.addTask('T1', [0, 2, 3]).addTask('T2', [2, 4])
  const workspace = path.join(home, 'workspace')
  mkdirSync(workspace)
  mkdirSync(path.join(home, 'runner_temp'))
  const envFile = path.join(home, '.env')
  writeFileSync(
    envFile,
    [
      'INPUT_TASK-IDS=T1 T2',
      `INPUT_APP-KEY=${DEFAULT_CREDENTIALS.appKey}`,
      `INPUT_APP-SECRET=${DEFAULT_CREDENTIALS.appSecret}`,
      `INPUT_APP-UID=${DEFAULT_CREDENTIALS.appUid}`,
      `INPUT_API-URL=${sim.url}`,
      'INPUT_POLL-INTERVAL=100ms',
      'INPUT_TIMEOUT=30s',
      `GITHUB_WORKSPACE=${workspace}`,
      `RUNNER_TEMP=${path.join(home, 'runner_temp')}`
    ].join('\n')
  )

  const { code, stdout } = await runLocalAction(envFile)

  expect(stdout).not.toContain('TypeError')
  expect(code).toBe(0) // local-action itself ran; the step's result is in its log
  const outputs = outputsIn(stdout)
  expect(outputs.state).toBe('failed')
  expect(JSON.parse(outputs.succeeded)).toEqual(['T1'])
  expect(JSON.parse(outputs.failed)).toEqual(['T2'])
  expect(JSON.parse(outputs.matrix).include).toEqual([
    {
      'task-id': 'T1',
      state: 'succeeded',
      'ply-url': sim.assetUrl('T1', 'ply'),
      'spz-url': sim.assetUrl('T1', 'spz'),
      'sog-url': sim.assetUrl('T1', 'sog')
    }
  ])
  expect(stdout).toContain('::error::Not every task succeeded (1 of 2 succeeded; 1 failed: T2).')
  expect(stdout).toMatch(/T1: running → succeeded/)
  // Signed requests reached the simulator, which checks the signature as the service does.
  expect(sim.apiRequests.every(request => request.outcome === 'ok')).toBe(true)
  expect(stdout).not.toContain(DEFAULT_CREDENTIALS.appSecret)
}, 120_000)
