/**
 * The bundle against a hostile World gateway (issue: a hostile server cannot write to the log,
 * leak the key or lose the outputs): line breaks and workflow commands in every field the API
 * returns, HTML and link syntax for the summary, fields of megabytes, and an unwritable
 * RUNNER_TEMP. Needs `npm run build` first.
 */
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { type ActionRun, runAction } from '../sim/runner.js'
import { DEFAULT_API_KEY, startWorldSim, type WorldSim } from '../sim/world.js'

const INJECTED =
  '\n::add-mask::succeeded\r\n::error title=X::injected\r::stop-commands::tok\u2028::set-output name=a::b'

const node24 =
  process.env.NODE24_BIN ?? (process.versions.node.startsWith('24.') ? process.execPath : undefined)
const NODES: Array<[string, string | undefined]> = [
  ['this Node', process.execPath],
  ['Node 24', node24]
]

let world: WorldSim
beforeEach(async () => {
  world = await startWorldSim()
})
afterEach(async () => {
  await world.close()
})

function inputs(ids: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'task-ids': ids,
    'api-key': DEFAULT_API_KEY,
    'api-url': world.url,
    'poll-interval': '100ms',
    timeout: '3s',
    'fail-on': 'never',
    ...extra
  }
}

/** The commands this action itself writes; anything else at a line start came from a server. */
const OWN_COMMANDS = /^::(add-mask|warning|error|notice|debug|group|endgroup)(::| )/

function expectNoInjectedLines(run: ActionRun): void {
  // The runner splits at CR as well as LF.
  const lines = run.stdout.split(/\r\n|[\r\n\u2028\u2029]/)
  const commands = lines.filter(line => line.startsWith('::'))
  expect(commands.filter(line => !OWN_COMMANDS.test(line))).toEqual([])
  expect(lines.filter(line => /^::(add-mask::succeeded|error title=X)/.test(line))).toEqual([])
}

describe.each(NODES)('dist/index.js against a hostile World gateway on %s', (_, node) => {
  const skip = (): boolean => {
    if (node) return false
    if (process.env.CI === 'true') throw new Error('Node 24 is needed: .ci/run sets NODE24_BIN.')
    return true
  }

  it('lets no server text start a line of the log, and keeps HTML and links out of the summary', async () => {
    if (skip()) return
    world.addWorld('H1', {
      timeline: [{ at: 0, status: `WEIRD${INJECTED}` }],
      detail: { name: `name${INJECTED}` }
    })
    world.addWorld('H2', {
      timeline: [{ at: 0, status: 'SUCCEEDED' }],
      detail: {
        name: `<img src="https://evil.example/p.gif"> [x](https://evil.example)${INJECTED}`,
        cover: 'javascript:alert(1)',
        assets: {
          splats: { urls: { plyPath: `${INJECTED}`, spzPath: `https://[${INJECTED}` } },
          semanticsMetadata: { upAxis: `Z${INJECTED}` }
        }
      }
    })
    const run = await runAction({ node, inputs: inputs('H1\nH2', { download: 'ply,spz' }) })
    expectNoInjectedLines(run)
    expect(run.outputs.state).toBeDefined()
    expect(run.summary).not.toContain('<img src="https://evil')
    expect(run.summary).not.toContain('javascript:')
    expect(run.summary).not.toContain('[x](')
    // `::add-mask::` lines are the runner's masking protocol: the runner consumes them unseen.
    const log = run.stdout.replace(/^::add-mask::.*$/gm, '')
    expect(`${log}${run.summary}${JSON.stringify(run.outputs)}`).not.toContain(DEFAULT_API_KEY)
  })

  it('keeps every output and the summary when names are megabytes long', async () => {
    if (skip()) return
    const big = 'N'.repeat(5 * 1024 * 1024)
    for (const id of ['B1', 'B2', 'B3']) {
      world.addWorld(id, { timeline: [{ at: 0, status: 'SUCCEEDED' }], detail: { name: big } })
    }
    const run = await runAction({ node, inputs: inputs('B1\nB2\nB3', { timeout: '20s' }) })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.state).toBe('succeeded')
    const results = JSON.parse(run.outputs.results) as Array<{ name?: string }>
    expect(results).toHaveLength(3)
    expect(results.every(r => (r.name ?? '').length <= 4096)).toBe(true)
    expect(run.summary).toContain('all tasks succeeded')
  })

  it('writes the outputs and the summary when RUNNER_TEMP is a file, and names it', async () => {
    if (skip()) return
    world.addWorld('W1', { timeline: [{ at: 0, status: 'SUCCEEDED' }] })
    const dir = path.join(process.env.TMPDIR ?? '/tmp', `runner-temp-file-${process.pid}`)
    writeFileSync(dir, 'not a folder')
    const run = await runAction({ node, inputs: inputs('W1'), env: { RUNNER_TEMP: dir } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.state).toBe('succeeded')
    expect(JSON.parse(run.outputs.succeeded)).toEqual(['W1'])
    expect(run.summary).toContain('all tasks succeeded')
    expect(run.stdout).toMatch(/::warning::Could not write 'results-file' .*RUNNER_TEMP/)
  })

  it.each([
    ['download-dir itself', 'aholo-assets'],
    ["a task's folder", 'aholo-assets/W1']
  ])(
    'refuses, before any request, a link committed as %s that leads out of the workspace',
    async (_, linkPath) => {
      if (skip()) return
      world.addWorld('W1', { timeline: [{ at: 0, status: 'SUCCEEDED' }] })
      const home = mkdtempSync(path.join(tmpdir(), 'aholo-links-'))
      const workspace = path.join(home, 'workspace')
      const outside = path.join(home, 'outside')
      mkdirSync(outside, { recursive: true })
      mkdirSync(path.dirname(path.join(workspace, linkPath)), { recursive: true })
      symlinkSync(outside, path.join(workspace, linkPath))
      const run = await runAction({ node, workspace, inputs: inputs('W1', { download: 'spz' }) })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(/::error::.*symbolic link/)
      expect(world.apiRequests).toEqual([])
      expect(readdirSync(outside)).toEqual([])
    }
  )

  it('prints nothing on stderr while many World bodies are slow', async () => {
    if (skip()) return
    const ids = Array.from({ length: 12 }, (_, i) => `S${i}`)
    for (const id of ids) {
      world.addWorld(id, { timeline: [{ at: 0, status: 'SUCCEEDED' }] })
      world.injectWorldFaults(id, { kind: 'slow-body', ms: 500 })
    }
    const run = await runAction({ node, inputs: inputs(ids.join('\n'), { timeout: '20s' }) })
    expect(run.stderr).toBe('')
    expect(run.outputs.state).toBe('succeeded')
  })
})
