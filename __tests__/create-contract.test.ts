/**
 * The create action's names, held together: create/action.yml, the code (CREATE_INPUT_NAMES,
 * CREATE_DEFAULTS, CREATE_OUTPUT_NAMES), both READMEs' tables, the build and every use of it in
 * examples/; and create/action.yml checked with GitHub's own parser.
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { parse } from 'yaml'
import { parseCreateInputs } from '../src/create/inputs.js'
import {
  CREATE_DEFAULTS,
  CREATE_INPUT_NAMES,
  type CreateInputName
} from '../src/inputs/create-contract.js'
import { buildCreateOutputs, CREATE_OUTPUT_NAMES } from '../src/report/create-outputs.js'
import { NO_SECRETS } from '../src/report/redact.js'
import { PROJECT_ROOT } from '../sim/runner.js'
import { publishedRef, readVersionStory } from './support/versions.js'

const CREATE_REF = `aholo-dev/aholo-task-action/create@${publishedRef(readVersionStory(PROJECT_ROOT))}`
const read = (file: string): string => readFileSync(path.join(PROJECT_ROOT, file), 'utf8')

interface ActionYml {
  name: string
  description: string
  branding?: { icon?: string; color?: string }
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}
interface Step {
  id?: string
  uses?: string
  with?: Record<string, unknown>
}
interface Workflow {
  jobs: Record<string, { steps?: Step[] }>
}

const action = parse(read('create/action.yml')) as ActionYml
const names = Object.keys(action.inputs)
const sorted = (list: Iterable<string>): string[] => [...list].sort()

describe('create/action.yml and the code', () => {
  test('declares exactly the inputs of CREATE_INPUT_NAMES and the outputs of CREATE_OUTPUT_NAMES', () => {
    expect(names).toEqual([...CREATE_INPUT_NAMES])
    expect(Object.keys(action.outputs)).toEqual([...CREATE_OUTPUT_NAMES])
    const { outputs } = buildCreateOutputs('world', [], [], '/tmp/r.json', NO_SECRETS)
    expect(Object.keys(outputs)).toEqual([...CREATE_OUTPUT_NAMES])
  })

  test('requires exactly the inputs the code refuses to go without, and has its defaults', () => {
    const { problems } = parseCreateInputs(() => '', PROJECT_ROOT)
    const required = CREATE_INPUT_NAMES.filter(name =>
      problems.some(problem => problem.startsWith(`'${name}' is required and`))
    )
    expect(sorted(names.filter(name => action.inputs[name].required === true))).toEqual(
      sorted(required)
    )
    const optional = names.filter(name => action.inputs[name].required !== true)
    expect(
      Object.fromEntries(optional.map(name => [name, action.inputs[name].default ?? '']))
    ).toEqual(
      Object.fromEntries(
        optional.map(name => [name, (CREATE_DEFAULTS as Record<string, string>)[name] ?? ''])
      )
    )
  })

  test('runs its own bundle, which the build makes, on the Node.js the runner has', () => {
    expect(action.runs).toEqual({ using: 'node24', main: '../dist/create/index.js' })
    const build = (JSON.parse(read('package.json')) as { scripts: { build: string } }).scripts.build
    expect(build).toContain('ncc build src/create/index.ts -o dist/create ')
    expect(build).toMatch(/^rm -rf dist && ncc build src\/index\.ts -o dist /)
  })

  test('has a name, a short description and branding for the Marketplace', () => {
    expect(action.name).toMatch(/\bAholo\b/)
    expect(action.name.length).toBeLessThanOrEqual(50)
    expect(action.description.length).toBeLessThanOrEqual(125)
    expect(action.branding).toEqual({ icon: expect.any(String), color: expect.any(String) })
  })

  test("is accepted by GitHub's action parser", async () => {
    const args = [
      '--import',
      'tsx',
      '--import',
      './__tests__/support/json-import-hook.mjs',
      '__tests__/support/github-parser.ts',
      'create/action.yml'
    ]
    const env = { ...process.env }
    delete env.NODE_OPTIONS
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, args, { cwd: PROJECT_ROOT, env }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)
      )
    )
    expect(JSON.parse(stdout)).toEqual({ 'create/action.yml': [] })
  })
})

describe('the READMEs', () => {
  test.each([
    ['README.md', 'Create inputs', 'Create outputs', 'required'],
    ['README.zh-CN.md', 'create 的输入', 'create 的输出', '必填']
  ])(
    '%s lists every input with its default, and every output',
    (file, inputs, outputs, required) => {
      const text = read(file)
      const inputRows = tableRows(text, inputs)
      expect(inputRows.map(([name]) => name)).toEqual([...CREATE_INPUT_NAMES])
      for (const [name, cell] of inputRows) {
        const input = action.inputs[name]
        const expected = input.required ? required : input.default ? `\`${input.default}\`` : ''
        expect(`${name}: ${cell}`).toBe(`${name}: ${expected}`)
      }
      expect(tableRows(text, outputs).map(([name]) => name)).toEqual([...CREATE_OUTPUT_NAMES])
    }
  )
})

describe('uses of the create action in examples/', () => {
  const uses = readdirSync(path.join(PROJECT_ROOT, 'examples'))
    .filter(file => file.endsWith('.yml'))
    .flatMap(file =>
      Object.values((parse(read(`examples/${file}`)) as Workflow).jobs).flatMap(job =>
        (job.steps ?? [])
          .filter(step => (step.uses ?? '').startsWith('aholo-dev/aholo-task-action/create@'))
          .map(step => [file, step] as const)
      )
    )

  test('there is one at least, and each is the published ref', () => {
    expect(uses.length).toBeGreaterThanOrEqual(1)
    expect(uses.map(([, step]) => step.uses)).toEqual(uses.map(() => CREATE_REF))
  })

  test.each(uses)(
    '%s passes only inputs the action has, which its parser accepts',
    (_file, step) => {
      const given = Object.keys(step.with ?? {})
      expect(given.filter(name => !names.includes(name))).toEqual([])
      // An expression is unknown until run time: a whole one stands for a set secret or 'false'.
      const values = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([name, raw]) => {
          const text = String(raw)
          if (!/^\$\{\{[^}]*\}\}$/.test(text.trim())) return [name, text]
          return [name, name === 'api-key' ? 'secret-value' : 'false']
        })
      )
      const { problems } = parseCreateInputs(
        name => (values as Partial<Record<CreateInputName, string>>)[name] ?? '',
        PROJECT_ROOT
      )
      expect(problems).toEqual([])
    }
  )
})

/** `[name, second cell]` of each row of the first table under `### <heading>`. */
function tableRows(markdown: string, heading: string): Array<[string, string]> {
  const lines = markdown.split('\n')
  const start = lines.findIndex(line => line.trim() === `### ${heading}`)
  if (start === -1) throw new Error(`no "### ${heading}"`)
  const rows: Array<[string, string]> = []
  let inTable = false
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,3}\s/.test(line)) break
    if (!line.trim().startsWith('|')) {
      if (inTable) break
      continue
    }
    inTable = true
    const cells = line.trim().split('|').slice(1, -1)
    const name = /^\s*`([^`]+)`\s*$/.exec(cells[0] ?? '')?.[1]
    if (name) rows.push([name, (cells[1] ?? '').trim()])
  }
  return rows
}
