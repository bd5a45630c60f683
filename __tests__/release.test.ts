/**
 * What a release needs: release.yml, codeql.yml and dependabot.yml (the workflows checked with
 * GitHub's own parser, release.yml's scripts run for real with bash, git and a local remote),
 * and what the Marketplace and users look for in action.yml, LICENSE, CHANGELOG.md, SECURITY.md
 * and the READMEs.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ACTION_REPOSITORY = 'aholo-dev/aholo-task-action'
const RELEASE = '.github/workflows/release.yml'
const CODEQL = '.github/workflows/codeql.yml'
const DEPENDABOT = '.github/dependabot.yml'

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}
interface Job {
  needs?: string | string[]
  permissions?: Record<string, string>
  outputs?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  defaults?: { run?: { shell?: string } }
  jobs: Record<string, Job>
}
interface Dependabot {
  version: number
  updates: Array<{
    'package-ecosystem': string
    directory: string
    schedule: { interval: string }
    groups?: Record<string, { 'dependency-type'?: string; patterns?: string[] }>
  }>
}

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8')
const packageJson = JSON.parse(read('package.json')) as {
  version: string
  license: string
  author?: string | { name: string }
}
const release = parse(read(RELEASE)) as Workflow
const codeql = parse(read(CODEQL)) as Workflow
const action = parse(read('action.yml')) as {
  name: string
  description: string
  author?: string
  branding?: { icon?: string; color?: string }
  inputs: Record<string, unknown>
}
const author =
  typeof packageJson.author === 'string' ? packageJson.author : packageJson.author?.name

/** The steps of a job, each with the job's id; and one step found by its id. */
const stepsOf = (workflow: Workflow): Array<{ jobId: string; step: Step }> =>
  Object.entries(workflow.jobs).flatMap(([jobId, job]) => job.steps.map(step => ({ jobId, step })))
function stepWithId(workflow: Workflow, id: string): Step {
  const found = stepsOf(workflow).find(({ step }) => step.id === id)
  if (!found) throw new Error(`No step with id ${id}`)
  return found.step
}
function stepNamed(workflow: Workflow, jobId: string, pattern: RegExp): Step {
  const step = workflow.jobs[jobId]?.steps.find(candidate => pattern.test(candidate.name ?? ''))
  if (!step?.run) throw new Error(`No run step of ${jobId} is named like ${pattern}`)
  return step
}
const needsOf = (job: Job): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]

describe("GitHub's workflow parser", () => {
  const broken = mkdtempSync(path.join(tmpdir(), 'aholo-release-yml-'))
  const brokenRelease = path.join(broken, 'release.yml')
  const brokenCodeql = path.join(broken, 'codeql.yml')
  const brokenAction = path.join(broken, 'action.yml')
  let report: Record<string, string[]>

  beforeAll(async () => {
    // The same files with one mistake each, to show that the parser looks where these tests rely
    // on it: permission levels, permission names, and the Marketplace branding.
    writeFileSync(brokenRelease, read(RELEASE).replace('contents: write', 'contents: publish'))
    writeFileSync(
      brokenCodeql,
      read(CODEQL).replace('security-events: write', 'security-event: write')
    )
    writeFileSync(brokenAction, read('action.yml').replace(/^( +icon:).*$/m, '$1 no-such-icon'))
    report = await checkWithGitHubParser([
      'action.yml',
      RELEASE,
      CODEQL,
      brokenRelease,
      brokenCodeql,
      brokenAction
    ])
  })

  test.each(['action.yml', RELEASE, CODEQL])('accepts %s', file => {
    expect(report[file]).toEqual([])
  })

  test('reports a permission level that does not exist', () => {
    expect(report[brokenRelease]).toEqual([expect.stringContaining("Unexpected value 'publish'")])
  })

  test('reports a permission that does not exist', () => {
    expect(report[brokenCodeql]).toEqual([
      expect.stringContaining("Unexpected value 'security-event'")
    ])
  })

  test('reports a branding icon that the Marketplace does not have', () => {
    expect(report[brokenAction]).toEqual([expect.stringContaining('no-such-icon')])
  })
})

describe('release.yml', () => {
  test('runs by hand with a required version, or when a tag vX.Y.Z is pushed', () => {
    expect(release.on).toEqual({
      workflow_dispatch: {
        inputs: { version: expect.objectContaining({ required: true, type: 'string' }) }
      },
      push: { tags: ['v*.*.*'] }
    })
  })

  test('resolves the version, checks the commit, publishes, then moves the tags, in that order', () => {
    expect(Object.keys(release.jobs)).toEqual(['version', 'verify', 'publish', 'move-tags'])
    expect(needsOf(release.jobs.verify)).toEqual(['version'])
    expect(needsOf(release.jobs.publish)).toEqual(expect.arrayContaining(['version', 'verify']))
    expect(needsOf(release.jobs['move-tags'])).toEqual(
      expect.arrayContaining(['version', 'verify', 'publish'])
    )
  })

  test('checks the commit with .ci/run, on the Node.js of .node-version, before it publishes', () => {
    const steps = release.jobs.verify.steps
    expect(steps.map(step => step.run?.trim())).toContain('bash .ci/run')
    const setupNode = steps.find(step => step.uses?.startsWith('actions/setup-node@'))
    expect(setupNode?.with).toMatchObject({ 'node-version-file': '.node-version' })
    const notes = steps.findIndex(step => step.id === 'notes')
    const ciRun = steps.findIndex(step => step.run?.trim() === 'bash .ci/run')
    expect(notes).toBeGreaterThanOrEqual(0)
    expect(notes).toBeLessThan(ciRun) // a missing CHANGELOG section fails in seconds
  })

  test('only the jobs that publish may write, and they run nothing that npm installed', () => {
    expect(release.permissions).toEqual({ contents: 'read' })
    const writers = Object.entries(release.jobs)
      .filter(([, job]) => Object.values(job.permissions ?? {}).includes('write'))
      .map(([jobId]) => jobId)
    expect(writers).toEqual(['publish', 'move-tags'])
    for (const jobId of writers) {
      expect(release.jobs[jobId].permissions).toEqual({ contents: 'write' })
      const scripts = release.jobs[jobId].steps.map(step => step.run ?? '').join('\n')
      expect(scripts).not.toMatch(/\bnpm\b|\bnpx\b|\bnode\b|\.ci\/run/)
    }
    const checkout = release.jobs.verify.steps.find(step =>
      step.uses?.startsWith('actions/checkout@')
    )
    expect(checkout?.with).toMatchObject({ 'persist-credentials': false })
  })

  test('pins every action it uses by major version', () => {
    const uses = stepsOf(release).flatMap(({ step }) => (step.uses ? [step.uses] : []))
    expect(uses.length).toBeGreaterThanOrEqual(4)
    expect(uses.filter(ref => !/^actions\/(checkout|setup-node)@v\d+$/.test(ref))).toEqual([])
  })

  test('publishes vX.Y.Z with gh, only after making sure that it is not released yet', () => {
    const script = stepNamed(release, 'publish', /publish/i).run as string
    const view = script.indexOf('gh release view "$TAG"')
    const create = script.indexOf('gh release create "$TAG"')
    expect(view).toBeGreaterThanOrEqual(0)
    expect(create).toBeGreaterThan(view)
    expect(script.slice(view, create)).toMatch(/exit 1/)
    expect(script).toContain('--notes-file')
    expect(script).toContain('--target "$SHA"')
    expect(script).toContain('--verify-tag')
  })

  test('the force-push finder finds a force-push of the full version', () => {
    const bad = [
      'git push --force origin "$SHA:refs/tags/v$VERSION"',
      'git push -f origin "$TAG"',
      'git push origin "+$SHA:refs/tags/v$MAJOR.$MINOR.1"',
      'git push origin --force-with-lease "refs/tags/$TAG"'
    ]
    expect(bad.map(line => forcePushes(line))).toEqual(bad.map(line => [line]))
    expect(forcePushes('git push origin "$SHA:refs/tags/$TAG"')).toEqual([])
    const moving = ['git push --force origin "$SHA:refs/tags/v$MINOR"']
    expect(forcePushes(moving[0]).filter(pushesOnlyMovingTag)).toEqual(moving)
    expect(forcePushes(bad.join('\n')).filter(pushesOnlyMovingTag)).toEqual([])
  })

  test('force-pushes only vX and vX.Y, never vX.Y.Z', () => {
    const scripts = stepsOf(release).map(({ step }) => step.run ?? '')
    const pushes = scripts.flatMap(forcePushes)
    expect(pushes).toHaveLength(2)
    expect(pushes.filter(line => !pushesOnlyMovingTag(line))).toEqual([])
    expect(pushes.some(line => line.includes('refs/tags/v$MAJOR"'))).toBe(true)
    expect(pushes.some(line => line.includes('refs/tags/v$MINOR"'))).toBe(true)
    // $MAJOR and $MINOR are the version job's major and minor, never the full version.
    const move = stepNamed(release, 'move-tags', /move/i)
    expect(move.env).toMatchObject({
      MAJOR: '${{ needs.version.outputs.major }}',
      MINOR: '${{ needs.version.outputs.minor }}'
    })
    const rewrites = scripts
      .join('\n')
      .match(/gh release (edit|delete|upload)|--clobber|git tag -f/g)
    expect(rewrites).toBeNull()
  })
})

describe("release.yml's scripts, run", () => {
  const resolve = stepWithId(release, 'resolve')
  const notes = stepWithId(release, 'notes')

  test.each([
    ['workflow_dispatch', { INPUT_VERSION: '1.2.3' }, ['1.2.3', 'v1.2.3', '1', '1.2']],
    ['push', { REF_TYPE: 'tag', REF_NAME: 'v0.1.0' }, ['0.1.0', 'v0.1.0', '0', '0.1']],
    ['push', { REF_TYPE: 'tag', REF_NAME: 'v10.20.30' }, ['10.20.30', 'v10.20.30', '10', '10.20']]
  ])('the version job takes the version of a %s run (%j)', (event, env, expected) => {
    const run = runStep(resolve, { EVENT: event, ...env })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const { version, tag, major, minor } = run.outputs
    expect([version, tag, major, minor]).toEqual(expected)
  })

  test.each([
    ['workflow_dispatch', { INPUT_VERSION: 'v1.2.3' }],
    ['workflow_dispatch', { INPUT_VERSION: '1.2' }],
    ['workflow_dispatch', { INPUT_VERSION: '01.2.3' }],
    ['workflow_dispatch', { INPUT_VERSION: '1.2.3-rc.1' }],
    ['workflow_dispatch', { INPUT_VERSION: '' }],
    ['workflow_dispatch', { INPUT_VERSION: '1.2.3\n::notice::injected' }],
    ['push', { REF_TYPE: 'tag', REF_NAME: 'v1.2.3.4' }],
    ['push', { REF_TYPE: 'branch', REF_NAME: 'main' }],
    ['schedule', {}]
  ])('the version job refuses a %s run with %j', (event, env) => {
    const run = runStep(resolve, { EVENT: event, ...env })
    expect(run.status).not.toBe(0)
    expect(run.outputs).toEqual({})
    const lines = run.stdout.trim().split('\n')
    expect(lines).toEqual([expect.stringMatching(/^::error\b/)]) // one line: nothing injected
  })

  test(`takes the notes of ${packageJson.version} from CHANGELOG.md, without other sections or link definitions`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aholo-notes-'))
    copyFileSync(path.join(ROOT, 'CHANGELOG.md'), path.join(dir, 'CHANGELOG.md'))
    const run = runStep(notes, { VERSION: packageJson.version }, dir)
    expect(run.status).toBe(0)
    const text = run.outputs.notes
    expect(text).toMatch(/^\S/)
    expect(text).toContain('### Added')
    expect(text).not.toMatch(/^## /m)
    expect(text).not.toMatch(/^\[[^\]]+\]: /m)
    expect(text).not.toMatch(/Unreleased/)
  })

  test.each([
    ['has no section for it', '## [Unreleased]\n\n- x\n\n## [1.2.30] - 2026-01-01\n\n- y\n'],
    [
      'has only an empty section for it',
      '## [1.2.3] - 2026-01-01\n\n## [1.2.2] - 2025-12-01\n- y\n'
    ],
    ['lists it only as a link', '## [1.2.4] - 2026-01-01\n- y\n\n[1.2.3]: https://example.com\n']
  ])('fails when CHANGELOG.md %s', (_case, changelog) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aholo-notes-'))
    writeFileSync(path.join(dir, 'CHANGELOG.md'), changelog)
    const run = runStep(notes, { VERSION: '1.2.3' }, dir)
    expect(run.status).not.toBe(0)
    expect(run.outputs).toEqual({})
    expect(run.stdout).toMatch(/^::error file=CHANGELOG\.md/)
  })

  test('the move-tags job moves vX and vX.Y forward only, and never touches vX.Y.Z', () => {
    const move = stepNamed(release, 'move-tags', /move/i)
    const repo = new LocalRepository()
    const a = repo.commit('a')
    repo.pushTags({ 'v1.2.3': a, 'v1.2': a, v1: a })

    const b = repo.commit('b')
    repo.pushTags({ 'v1.2.4': b }) // what the publish job made
    expect(repo.runMove(move, '1.2.4', b).status).toBe(0)
    expect(repo.remoteTags()).toEqual({ v1: b, 'v1.2': b, 'v1.2.3': a, 'v1.2.4': b })

    const c = repo.commit('c')
    repo.pushTags({ 'v1.3.0': c })
    expect(repo.runMove(move, '1.3.0', c).status).toBe(0)
    expect(repo.remoteTags()).toMatchObject({ v1: c, 'v1.2': b, 'v1.3': c, 'v1.3.0': c })

    // A fix to the older line moves its minor tag and leaves v1 on the newer release.
    const d = repo.commit('d')
    repo.pushTags({ 'v1.2.5': d })
    const fix = repo.runMove(move, '1.2.5', d)
    expect(fix.status).toBe(0)
    expect(fix.stdout).toContain('::notice::v1 stays on v1.3.0')
    expect(repo.remoteTags()).toEqual({
      v1: c,
      'v1.2': d,
      'v1.2.3': a,
      'v1.2.4': b,
      'v1.2.5': d,
      'v1.3': c,
      'v1.3.0': c
    })
  })

  test('the move-tags job fails when the release tag is not in the repository', () => {
    const move = stepNamed(release, 'move-tags', /move/i)
    const repo = new LocalRepository()
    const a = repo.commit('a')
    const run = repo.runMove(move, '2.0.0', a)
    expect(run.status).not.toBe(0)
    expect(repo.remoteTags()).toEqual({})
  })
})

describe('codeql.yml', () => {
  test('runs on pushes to main, pull requests and a weekly schedule', () => {
    expect(Object.keys(codeql.on).sort()).toEqual(['pull_request', 'push', 'schedule'])
    expect(codeql.on.push).toEqual({ branches: ['main'] })
    const schedule = codeql.on.schedule as Array<{ cron: string }>
    expect(schedule).toHaveLength(1)
    const [minute, hour, dayOfMonth, month, dayOfWeek] = schedule[0].cron.split(' ')
    expect([minute, hour]).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)])
    expect([dayOfMonth, month]).toEqual(['*', '*'])
    expect(dayOfWeek).toMatch(/^[0-6]$/)
  })

  test('may write security events and read contents and actions, nothing more', () => {
    const jobs = Object.values(codeql.jobs)
    expect(jobs).toHaveLength(1)
    expect({ ...codeql.permissions, ...jobs[0].permissions }).toEqual({
      'security-events': 'write',
      contents: 'read',
      actions: 'read'
    })
  })

  test('initializes CodeQL for JavaScript/TypeScript, then analyzes, with one major', () => {
    const steps = Object.values(codeql.jobs)[0].steps
    const uses = steps.map(step => step.uses ?? '')
    const init = steps.findIndex(step => step.uses?.startsWith('github/codeql-action/init@'))
    const analyze = steps.findIndex(step => step.uses?.startsWith('github/codeql-action/analyze@'))
    expect(init).toBeGreaterThan(uses.findIndex(ref => ref.startsWith('actions/checkout@')))
    expect(analyze).toBeGreaterThan(init)
    expect(steps[init].with).toMatchObject({ languages: 'javascript-typescript' })
    const major = (ref: string | undefined): string | undefined => ref?.split('@')[1]
    expect(major(steps[init].uses)).toMatch(/^v\d+$/)
    expect(major(steps[analyze].uses)).toBe(major(steps[init].uses))
  })
})

describe('dependabot.yml', () => {
  const config = parse(read(DEPENDABOT)) as Dependabot
  const update = (ecosystem: string) =>
    config.updates.find(entry => entry['package-ecosystem'] === ecosystem)

  test('updates npm packages and the actions of the workflows, weekly', () => {
    expect(config.version).toBe(2)
    expect(config.updates.map(entry => entry['package-ecosystem']).sort()).toEqual([
      'github-actions',
      'npm'
    ])
    for (const entry of config.updates) {
      expect(entry.directory).toBe('/')
      expect(entry.schedule.interval).toBe('weekly')
    }
  })

  test('groups npm updates into runtime and development dependencies', () => {
    const groups = Object.values(update('npm')?.groups ?? {})
    expect(groups.map(group => group['dependency-type']).sort()).toEqual([
      'development',
      'production'
    ])
    expect(groups.filter(group => group.patterns !== undefined)).toEqual([])
  })
})

describe('what the Marketplace and users look for', () => {
  test('action.yml has a specific name, a description of at most 125 characters, and branding', () => {
    expect(action.name).toMatch(/\bAholo\b/)
    expect(action.name.length).toBeLessThanOrEqual(50)
    expect(action.description.length).toBeGreaterThan(20)
    expect(action.description.length).toBeLessThanOrEqual(125)
    expect(action.branding).toEqual({
      icon: expect.stringMatching(/^[a-z0-9-]+$/),
      color: expect.stringMatching(/^[a-z-]+$/)
    })
  })

  test("LICENSE is the MIT license of package.json's author", () => {
    const license = read('LICENSE')
    expect(packageJson.license).toBe('MIT')
    expect(author).toEqual(expect.stringMatching(/\S/))
    expect(license.split('\n')[0]).toBe('MIT License')
    expect(license).toMatch(
      new RegExp(`^Copyright \\(c\\) \\d{4} ${escapeRegExp(author ?? '')}$`, 'm')
    )
    expect(license).toContain('Permission is hereby granted, free of charge')
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND')
  })

  test(`CHANGELOG.md has an Unreleased section, then one for ${packageJson.version}, with its date`, () => {
    const headings = read('CHANGELOG.md')
      .split('\n')
      .filter(line => line.startsWith('## '))
    expect(headings[0]).toBe('## [Unreleased]')
    expect(headings[1]).toMatch(
      new RegExp(`^## \\[${escapeRegExp(packageJson.version)}\\] - \\d{4}-\\d{2}-\\d{2}$`)
    )
  })

  test('every version in CHANGELOG.md has its link', () => {
    const changelog = read('CHANGELOG.md')
    const versions = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map(match => match[1])
    const links = [...changelog.matchAll(/^\[([^\]]+)\]: https:\/\/github\.com\/(\S+)$/gm)]
    expect(links.map(match => match[1])).toEqual(versions)
    expect(links.every(match => match[2].startsWith(`${ACTION_REPOSITORY}/`))).toBe(true)
  })

  test('SECURITY.md says how to report privately and names every secret input of action.yml', () => {
    const security = read('SECURITY.md')
    expect(security).toContain('Report a vulnerability')
    expect(security).toContain(`https://github.com/${ACTION_REPOSITORY}/security/advisories/new`)
    expect(security).toContain('core.setSecret')
    const secretInputs = Object.keys(action.inputs).filter(name =>
      /secret|token|api-key/.test(name)
    )
    expect(secretInputs).toEqual(expect.arrayContaining(['app-secret', 'github-token']))
    expect(secretInputs.filter(name => !security.includes(`\`${name}\``))).toEqual([])
  })

  test.each([
    ['README.md', 'Versions and releases', 'Contributing'],
    ['README.zh-CN.md', '版本与发布', '参与开发']
  ])('%s has "## %s" before "## %s"', (file, heading, after) => {
    const headings = read(file)
      .split('\n')
      .filter(line => line.startsWith('## '))
    const at = headings.indexOf(`## ${heading}`)
    expect(at).toBeGreaterThan(0)
    expect(headings[at + 1]).toBe(`## ${after}`)
  })
})

/** Runs __tests__/support/github-parser.ts in a plain Node process, as workflows.test.ts does. */
async function checkWithGitHubParser(files: string[]): Promise<Record<string, string[]>> {
  const args = [
    '--import',
    'tsx',
    '--import',
    './__tests__/support/json-import-hook.mjs',
    '__tests__/support/github-parser.ts',
    '--repository',
    ACTION_REPOSITORY,
    ...files
  ]
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { cwd: ROOT, env: childEnv() }, (error, out, err) =>
      error
        ? reject(new Error(`The parser process failed: ${error.message}\n${err}`))
        : resolve(out)
    )
  )
  return JSON.parse(stdout) as Record<string, string[]>
}

/** jest's NODE_OPTIONS (--experimental-vm-modules) has no business in a child process. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  delete env.NODE_OPTIONS
  return env
}

/** The lines of a script that push with force, in any of git's spellings. */
function forcePushes(script: string): string[] {
  return script
    .split('\n')
    .map(line => line.trim())
    .filter(line => /\bgit\s+push\b/.test(line))
    .filter(line => /\s(--force\b|--force-with-lease\b|-f\b)|["'\s]\+/.test(line))
}

/** A push whose only destination is refs/tags/v$MAJOR or refs/tags/v$MINOR. */
function pushesOnlyMovingTag(line: string): boolean {
  const refs = line.match(/refs\/tags\/[^\s"']*/g) ?? []
  return (
    refs.length === 1 &&
    /^refs\/tags\/v\$(MAJOR|MINOR)$/.test(refs[0]) &&
    !/\$(VERSION|TAG)\b|\$\{(VERSION|TAG)\}/.test(line)
  )
}

interface StepRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
}

/** Runs a step's script as the runner does with `shell: bash`, and reads its GITHUB_OUTPUT. */
function runStep(step: Step, env: Record<string, string>, cwd = ROOT): StepRun {
  expect(release.defaults?.run?.shell).toBe('bash')
  const dir = mkdtempSync(path.join(tmpdir(), 'aholo-step-'))
  const script = path.join(dir, 'step.sh')
  const output = path.join(dir, 'output')
  writeFileSync(script, step.run ?? '')
  writeFileSync(output, '')
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd,
    env: childEnv({ GITHUB_OUTPUT: output, RUNNER_TEMP: dir, ...env }),
    encoding: 'utf8'
  })
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    outputs: parseGitHubOutput(readFileSync(output, 'utf8'))
  }
}

/** `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks, as the runner reads them. */
function parseGitHubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]
    const block = /^([\w-]+)<<(\S+)$/.exec(line)
    if (block) {
      const end = lines.indexOf(block[2], at + 1)
      if (end === -1) throw new Error(`GITHUB_OUTPUT: ${block[1]} is not closed by ${block[2]}`)
      outputs[block[1]] = lines.slice(at + 1, end).join('\n')
      at = end
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return outputs
}

/** A bare repository as `origin` and a clone of it, for the move-tags script. */
class LocalRepository {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'aholo-tags-'))
  private readonly origin = path.join(this.dir, 'origin.git')
  readonly clone = path.join(this.dir, 'clone')
  private readonly env = childEnv({
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com'
  })

  constructor() {
    this.git(this.dir, 'init', '-q', '--bare', '-b', 'main', this.origin)
    this.git(this.dir, 'init', '-q', '-b', 'main', this.clone)
    this.git(this.clone, 'remote', 'add', 'origin', this.origin)
  }

  commit(message: string): string {
    this.git(this.clone, 'commit', '-q', '--allow-empty', '-m', message)
    this.git(this.clone, 'push', '-q', 'origin', 'HEAD:refs/heads/main')
    return this.git(this.clone, 'rev-parse', 'HEAD')
  }

  /** Sets tags on origin directly, as earlier releases did (annotated, like a person's tag). */
  pushTags(tags: Record<string, string>): void {
    for (const [tag, sha] of Object.entries(tags)) {
      this.git(this.clone, 'tag', '-f', '-a', '-m', tag, tag, sha)
      this.git(this.clone, 'push', '-q', '--force', 'origin', `refs/tags/${tag}`)
    }
  }

  /** The commit each tag of origin points at. */
  remoteTags(): Record<string, string> {
    const listing = this.git(
      this.origin,
      'for-each-ref',
      '--format=%(refname:short) %(objectname) %(*objectname)',
      'refs/tags'
    )
    return Object.fromEntries(
      listing
        .split('\n')
        .filter(Boolean)
        .map(line => line.split(' '))
        .map(([tag, object, peeled]) => [tag, peeled || object])
    )
  }

  runMove(step: Step, version: string, sha: string): StepRun {
    const [major, minor] = [version.split('.')[0], version.split('.').slice(0, 2).join('.')]
    return runStep(
      step,
      { ...this.gitEnv(), VERSION: version, MAJOR: major, MINOR: minor, SHA: sha },
      this.clone
    )
  }

  private gitEnv(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.env).filter(
        (entry): entry is [string, string] => entry[0].startsWith('GIT_') && entry[1] !== undefined
      )
    )
  }

  private git(cwd: string, ...args: string[]): string {
    return execFileSync('git', args, { cwd, env: this.env, encoding: 'utf8' }).trim()
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
