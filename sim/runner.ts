/**
 * Runs the bundled action the way the runner does: a child process with INPUT_* variables,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, RUNNER_TEMP and GITHUB_WORKSPACE.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'index.js')
/** The create action's bundle (create/action.yml). */
export const CREATE_BUNDLE = path.join(PROJECT_ROOT, 'dist', 'create', 'index.js')

export interface ActionRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  workspace: string
  wallMs: number
}

export interface RunActionOptions {
  inputs: Record<string, string>
  env?: Record<string, string>
  /** The bundle to run; the wait action's by default. */
  bundle?: string
  /** The node binary; the one running the caller by default. */
  node?: string
  workspace?: string
  /** Called once the process has started, e.g. to send it a signal. */
  onStart?: (child: import('node:child_process').ChildProcess) => void
  /** Called with each stdout chunk as it arrives. */
  onStdout?: (text: string) => void
}

let runsRoot: string | undefined

/** One folder per process for every run's files, removed when the process ends. */
function newRunHome(): string {
  if (!runsRoot) {
    const root = mkdtempSync(path.join(tmpdir(), 'aholo-runs-'))
    runsRoot = root
    process.on('exit', () => rmSync(root, { recursive: true, force: true }))
  }
  return mkdtempSync(path.join(runsRoot, 'run-'))
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const home = newRunHome()
  const workspace = options.workspace ?? path.join(home, 'workspace')
  const outputFile = path.join(home, 'github_output')
  const summaryFile = path.join(home, 'step_summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  mkdirSync(workspace, { recursive: true })
  mkdirSync(path.join(home, 'runner_temp'), { recursive: true })

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: path.join(home, 'runner_temp'),
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }

  const started = performance.now()
  const child = spawn(options.node ?? process.execPath, [options.bundle ?? BUNDLE], {
    env,
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text
    options.onStdout?.(text)
  })
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  options.onStart?.(child)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve =>
    child.on('close', (code, sig) => resolve([code, sig]))
  )
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
    wallMs: performance.now() - started
  }
}

/** Reads the `name<<DELIMITER ... DELIMITER` blocks that @actions/core writes. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const [, name, delimiter] = match
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
    outputs[name] = value.join('\n')
  }
  return outputs
}
