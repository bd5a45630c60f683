/**
 * The workflows (.github/workflows, examples/) and action.yml, checked with GitHub's own parser;
 * and the names that must agree everywhere: action.yml, the code (INPUT_NAMES, OUTPUT_NAMES),
 * the READMEs' tables, the reusable workflow and every use of the action.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import { NO_SECRETS } from '../src/report/redact.js'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { parse } from 'yaml'
import { sign } from '../src/providers/open-platform/sign.js'
import { parseDuration } from '../src/units.js'
import { DEFAULTS, INPUT_NAMES, type InputName, SECRET_INPUTS } from '../src/inputs/contract.js'
import { type Config, InputError, parseInputs } from '../src/inputs/parse.js'
import { EMPTY_MATRIX } from '../src/report/matrix.js'
import { buildOutputs, OUTPUT_NAMES } from '../src/report/outputs.js'
import { MISSING_TASK, SELF_TEST_TASKS, SELF_TEST_WORLD } from '../scripts/serve-sim.js'
import { DEFAULT_API_KEY } from '../sim/world.js'
import { DEFAULT_CREDENTIALS, TASK_LIST_PATH } from '../sim/open-platform.js'
import { PROJECT_ROOT } from '../sim/runner.js'
import { publishedRef, readVersionStory } from './support/versions.js'

/** Where users get the action; the examples and the reusable workflow must all say so. */
const ACTION_REPOSITORY = 'aholo-dev/aholo-task-action'
/** The ref the docs tell users to take (versions.test.ts holds it to CHANGELOG.md). */
const REF = publishedRef(readVersionStory(PROJECT_ROOT))
const ACTION_REF = `${ACTION_REPOSITORY}@${REF}`
const REUSABLE_WORKFLOW = '.github/workflows/aholo-wait.yml'
const REUSABLE_REF = `${ACTION_REPOSITORY}/${REUSABLE_WORKFLOW}@${REF}`
/**
 * Inputs that the reusable workflow takes as secrets: the credentials of both APIs and the
 * token. None is required, since either API's credentials will do (the action checks them).
 */
const REUSABLE_SECRETS: readonly string[] = [
  'api-key',
  'app-key',
  'app-secret',
  'app-uid',
  'github-token'
]
/** The name each of REUSABLE_SECRETS has among the caller's secrets under `secrets: inherit`. */
const INHERITED_SECRETS: Record<string, string> = {
  'api-key': 'AHOLO_API_KEY',
  'app-key': 'AHOLO_APP_KEY',
  'app-secret': 'AHOLO_APP_SECRET',
  'app-uid': 'AHOLO_APP_UID',
  'github-token': 'AHOLO_GITHUB_TOKEN'
}
/** The credentials of each API: a use of the action gives one set, whole. */
const CREDENTIALS: readonly InputName[] = ['api-key', 'app-key', 'app-secret', 'app-uid']

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
}
interface Job {
  uses?: string
  with?: Record<string, unknown>
  secrets?: Record<string, unknown> | 'inherit'
  steps?: Step[]
  outputs?: Record<string, string>
  permissions?: unknown
  'timeout-minutes'?: number | string
}
interface Workflow {
  on: unknown
  permissions?: unknown
  jobs: Record<string, Job>
}
interface CallableInput {
  description?: string
  type: 'string' | 'boolean' | 'number'
  required?: boolean
  default?: string | boolean | number
}
interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const read = (file: string): string => readFileSync(path.join(PROJECT_ROOT, file), 'utf8')
const ymlIn = (dir: string): string[] =>
  readdirSync(path.join(PROJECT_ROOT, dir))
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(name => `${dir}/${name}`)

const WORKFLOW_FILES = [...ymlIn('.github/workflows'), ...ymlIn('examples')]
const workflows = new Map(WORKFLOW_FILES.map(file => [file, parse(read(file)) as Workflow]))
const action = parse(read('action.yml')) as ActionYml
const actionInputs = Object.keys(action.inputs)
const sorted = (names: Iterable<string>): string[] => [...names].sort()

/** Every step of every job, with where it is. */
const allSteps = [...workflows].flatMap(([file, workflow]) =>
  Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    (job.steps ?? []).map(step => ({ file, jobId, job, step }))
  )
)
const isThisAction = (uses: string | undefined): boolean =>
  uses === './' || (uses ?? '').startsWith(`${ACTION_REPOSITORY}@`)
const actionSteps = allSteps.filter(({ step }) => isThisAction(step.uses))

describe("GitHub's workflow parser", () => {
  const broken = mkdtempSync(path.join(tmpdir(), 'aholo-workflows-'))
  const brokenStep = path.join(broken, 'unknown-step-key.yml')
  const brokenCall = path.join(broken, 'bad-call.yml')
  const secretlessCall = path.join(broken, 'secretless-call.yml')
  const inheritingCall = path.join(broken, 'inheriting-call.yml')
  const brokenAction = path.join(broken, 'action.yml')
  let report: Record<string, string[]>

  beforeAll(async () => {
    writeFileSync(
      brokenStep,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        timeout: 3\n'
    )
    writeFileSync(
      brokenCall,
      `on: push\njobs:\n  a:\n    uses: ${REUSABLE_REF}\n    with:\n      no-such-input: x\n    secrets:\n      api-key: k\n      no-such-secret: s\n`
    )
    writeFileSync(
      secretlessCall,
      `on: push\njobs:\n  a:\n    uses: ${REUSABLE_REF}\n    with:\n      task-ids: A1\n`
    )
    writeFileSync(
      inheritingCall,
      `on: push\njobs:\n  a:\n    uses: ${REUSABLE_REF}\n    with:\n      task-ids: A1\n      results-artifact: aholo-results\n    secrets: inherit\n`
    )
    writeFileSync(brokenAction, read('action.yml').replace('using: node24', 'using: node99'))
    report = await checkWithGitHubParser([
      'action.yml',
      ...WORKFLOW_FILES,
      brokenStep,
      brokenCall,
      secretlessCall,
      inheritingCall,
      brokenAction
    ])
  })

  test('accepts action.yml', () => {
    expect(report['action.yml']).toEqual([])
  })

  test.each(WORKFLOW_FILES)('accepts %s', file => {
    expect(report[file]).toEqual([])
  })

  test('reports a key that a step does not have', () => {
    expect(report[brokenStep]).toEqual([expect.stringContaining("Unexpected value 'timeout'")])
  })

  test('checks a call of the reusable workflow against its inputs and secrets', () => {
    expect(sorted(report[brokenCall])).toEqual([
      expect.stringContaining('Input task-ids is required'),
      expect.stringContaining('Invalid input, no-such-input is not defined'),
      expect.stringContaining('Invalid secret, no-such-secret is not defined')
    ])
  })

  test('accepts a call of the reusable workflow without secrets: the action checks the credentials', () => {
    expect(report[secretlessCall]).toEqual([])
  })

  test('accepts a call of the reusable workflow with secrets: inherit and a results-artifact', () => {
    expect(report[inheritingCall]).toEqual([])
  })

  test('reports an action that runs on a Node.js the runner does not have', () => {
    expect(report[brokenAction]).toEqual([expect.stringContaining('node99')])
  })
})

describe('action.yml and the code', () => {
  test('action.yml declares exactly the inputs of INPUT_NAMES (src/inputs/contract.ts)', () => {
    expect(actionInputs).toEqual([...INPUT_NAMES])
  })

  test('action.yml declares exactly the outputs of OUTPUT_NAMES (src/report/outputs.ts)', () => {
    expect(Object.keys(action.outputs)).toEqual([...OUTPUT_NAMES])
  })

  test.each([
    ['the World gateway', { 'api-key': 'world-key' }],
    ['the open platform', { 'app-key': 'app-key', 'app-secret': 'app-secret', 'app-uid': 'u' }]
  ])('parseInputs reads every input of INPUT_NAMES, for %s', (_api, credentials) => {
    const asked = new Set<string>()
    const given: Record<string, string> = { 'task-ids': 'A1', ...credentials }
    parseInputs(
      name => {
        asked.add(name)
        return given[name] ?? ''
      },
      { workspace: PROJECT_ROOT, env: {} }
    )
    expect(sorted(asked)).toEqual(sorted(INPUT_NAMES))
  })

  test('buildOutputs sets every output of OUTPUT_NAMES and nothing else', () => {
    const outputs = buildOutputs('succeeded', [], [], NO_SECRETS, {
      resultsFile: '/tmp/results.json'
    })
    expect(Object.keys(outputs)).toEqual([...OUTPUT_NAMES])
    expect(outputs['results-file']).toBe('/tmp/results.json')
  })

  test('src/ reads inputs and sets outputs only through those lists, never by a literal name', () => {
    const sample = `core.getInput('task-ids'); core.setOutput("state", s); process.env.INPUT_TIMEOUT`
    expect(literalNameUses(sample)).toHaveLength(3)
    const found = sourceFiles('src').flatMap(file =>
      literalNameUses(read(file)).map(use => `${file}: ${use}`)
    )
    expect(found).toEqual([])
  })

  test('action.yml requires exactly the inputs that the code refuses to go without', () => {
    let problems: string[] = []
    try {
      parseInputs(() => '', { workspace: PROJECT_ROOT, env: {} })
    } catch (error) {
      problems = (error as InputError).problems
    }
    // No credential is required on its own, but going without any is refused, naming both ways.
    expect(problems).toContainEqual(
      expect.stringMatching(/'api-key'.*'app-key', 'app-secret' and 'app-uid'/)
    )
    const requiredByCode = INPUT_NAMES.filter(name =>
      problems.some(problem => problem.startsWith(`'${name}' is required`))
    )
    const requiredByYml = actionInputs.filter(name => action.inputs[name].required === true)
    expect(sorted(requiredByYml)).toEqual(sorted(requiredByCode))
  })

  test("action.yml's defaults are the ones the code applies to an empty input", () => {
    const optional = actionInputs.filter(name => action.inputs[name].required !== true)
    const inYml = Object.fromEntries(
      optional.map(name => [name, action.inputs[name].default ?? ''])
    )
    const inCode = Object.fromEntries(
      optional.map(name => [name, (DEFAULTS as Record<string, string>)[name] ?? ''])
    )
    expect(inYml).toEqual(inCode)
  })
})

describe('the READMEs', () => {
  test('the table reader takes the names in the first column of the first table of a section', () => {
    const markdown = [
      '# T',
      '## Inputs',
      'Text with `not-a-row`.',
      '| Input | Default |',
      '|---|---|',
      '| `a-b` | `x` |',
      '| `c`, `d` | |',
      '',
      '| `other-table` | |',
      '## Outputs',
      '| `e` | |'
    ].join('\n')
    expect(tableNames(markdown, 'Inputs', 'T.md')).toEqual(['a-b', 'c', 'd'])
    expect(() => tableNames(markdown, 'Missing', 'T.md')).toThrow(/T\.md has no "## Missing"/)
  })

  const tables = [
    ['README.md', 'Inputs', 'inputs', actionInputs],
    ['README.md', 'Outputs', 'outputs', Object.keys(action.outputs)],
    ['README.zh-CN.md', '输入', 'inputs', actionInputs],
    ['README.zh-CN.md', '输出', 'outputs', Object.keys(action.outputs)]
  ] as const

  test.each(tables)(
    '%s lists, under "## %s", exactly the %s of action.yml',
    (file, heading, _kind, names) => {
      if (!existsSync(path.join(PROJECT_ROOT, file))) {
        throw new Error(
          `${file} is missing. It must have a "## ${heading}" section whose table has one row per name of action.yml, the name in backticks in the first column.`
        )
      }
      const listed = tableNames(read(file), heading, file)
      expect(listed.filter((name, at) => listed.indexOf(name) !== at)).toEqual([])
      expect(sorted(listed)).toEqual(sorted(names))
    }
  )
})

describe('the READMEs, against action.yml and examples/', () => {
  test.each([
    ['README.md', 'Inputs', 'required'],
    ['README.zh-CN.md', '输入', '必填']
  ])(
    '%s shows, under "## %s", each input\'s default as action.yml has it',
    (file, heading, required) => {
      const defaults = new Map(
        tableRows(read(file), heading, file).flatMap(cells => {
          const names = backticked(cells[0] ?? '')
          return names.length === 1 ? [[names[0], (cells[1] ?? '').trim()] as const] : []
        })
      )
      const wrong = actionInputs.flatMap(name => {
        const input = action.inputs[name]
        const cell = defaults.get(name) ?? '(no row)'
        const value = input.default ?? ''
        const right = input.required
          ? cell === required
          : value === ''
            ? backticked(cell).length === 0
            : cell === `\`${value}\``
        return right ? [] : [`${name}: ${cell}`]
      })
      expect(wrong).toEqual([])
    }
  )

  test.each([
    ['README.md', 'Three ways to use it'],
    ['README.zh-CN.md', '三种用法']
  ])('%s lists, under "## %s", every example and nothing else', (file, heading) => {
    const examples = WORKFLOW_FILES.filter(name => name.startsWith('examples/')).map(name =>
      path.basename(name)
    )
    expect(sorted(tableNames(read(file), heading, file))).toEqual(sorted(examples))
  })

  test.each([
    ['README.md', 'Which API?'],
    ['README.zh-CN.md', '选择哪个 API？']
  ])(
    '%s has "## %s", with a World quick start, the Lux3D and open-platform variants',
    (file, heading) => {
      const section = sectionOf(read(file), heading, file)
      const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
        match => parse(match[1]) as Step[]
      )
      const given = blocks.map(block => sorted(Object.keys(block[0]?.with ?? {})))
      expect(given).toEqual([
        ['api-key', 'task-ids'],
        ['api-key', 'provider', 'task-ids'],
        ['app-key', 'app-secret', 'app-uid', 'task-ids']
      ])
      expect(blocks[0][0].with?.['api-key']).toBe('${{ secrets.AHOLO_API_KEY }}')
      for (const block of blocks)
        expect(() => parseAsTheRunnerWould(block[0].with ?? {})).not.toThrow()
    }
  )

  test.each(['README.md', 'README.zh-CN.md'])(
    '%s makes no claim about the clock skew the service allows',
    file => {
      expect(read(file)).not.toMatch(/about 5 minutes|约 5 分钟|5 分钟以上/)
    }
  )
})

describe('the reusable workflow', () => {
  const workflow = workflows.get(REUSABLE_WORKFLOW) as Workflow
  const call = (workflow.on as { workflow_call: Record<string, Record<string, unknown>> })
    .workflow_call
  const inputs = call.inputs as Record<string, CallableInput>
  const secrets = call.secrets as Record<string, { required?: boolean }>
  const [jobId, job] = Object.entries(workflow.jobs)[0]
  const step = (job.steps ?? []).find(candidate => isThisAction(candidate.uses)) as Step

  test('runs only when called', () => {
    expect(Object.keys(workflow.on as object)).toEqual(['workflow_call'])
    expect(Object.keys(workflow.jobs)).toHaveLength(1)
    expect(step.uses).toBe(ACTION_REF)
  })

  test('takes every input of the action, the credentials as secrets and the rest as inputs', () => {
    expect(sorted(Object.keys(secrets))).toEqual(sorted(REUSABLE_SECRETS))
    expect(SECRET_INPUTS.filter(name => !REUSABLE_SECRETS.includes(name))).toEqual([])
    // Either API's credentials will do, so none is required on its own.
    expect(Object.keys(secrets).filter(name => secrets[name].required !== false)).toEqual([])
    const missing = actionInputs.filter(
      name => !REUSABLE_SECRETS.includes(name) && !(name in inputs)
    )
    expect(missing).toEqual([])
    expect(Object.keys(inputs).filter(name => REUSABLE_SECRETS.includes(name))).toEqual([])
  })

  test('adds only check-run, results-artifact, runs-on and timeout-minutes to the inputs of the action', () => {
    const extra = Object.keys(inputs).filter(name => !actionInputs.includes(name))
    expect(sorted(extra)).toEqual(['check-run', 'results-artifact', 'runs-on', 'timeout-minutes'])
    expect(inputs['results-artifact']).toMatchObject({ type: 'string', default: '' })
  })

  describe.each(REUSABLE_SECRETS)('the secret %s', name => {
    const inherited = INHERITED_SECRETS[name]
    const given = (secrets: Record<string, string>, more: Contexts = {}): string =>
      evaluate(String(step.with?.[name]), { secrets, inputs: {}, github: {}, ...more })

    test('reaches the action from its declared name', () => {
      expect(given({ [name]: 'declared-value' })).toBe('declared-value')
    })

    test('reaches the action from its inherited name when the declared one is empty', () => {
      expect(given({ [inherited]: 'inherited-value' })).toBe('inherited-value')
      expect(given({ [name]: '', [inherited]: 'inherited-value' })).toBe('inherited-value')
    })

    test('is the declared one when both are given, and empty when neither is', () => {
      expect(given({ [name]: 'declared-value', [inherited]: 'inherited-value' })).toBe(
        'declared-value'
      )
      const neither = given({}, { inputs: { 'check-run': false }, github: { token: 'job-token' } })
      expect(neither).toBe('')
    })
  })

  test("makes the check run with the job's token only when asked and no token secret is given", () => {
    const token = (secrets: Record<string, string>, checkRun: boolean): string =>
      evaluate(String(step.with?.['github-token']), {
        secrets,
        inputs: { 'check-run': checkRun },
        github: { token: 'job-token' }
      })
    expect(token({}, true)).toBe('job-token')
    expect(token({ AHOLO_GITHUB_TOKEN: 'app-token' }, true)).toBe('app-token')
    expect(token({ 'github-token': 'given', AHOLO_GITHUB_TOKEN: 'app-token' }, true)).toBe('given')
  })

  test('documents every inherited name in both READMEs and in the workflow', () => {
    for (const file of ['README.md', 'README.zh-CN.md', REUSABLE_WORKFLOW]) {
      const text = read(file)
      const missing = Object.values(INHERITED_SECRETS).filter(secret => !text.includes(secret))
      expect({ file, missing }).toEqual({ file, missing: [] })
    }
  })

  describe('results-artifact', () => {
    const upload = (job.steps ?? []).find(candidate =>
      candidate.uses?.startsWith('actions/upload-artifact@')
    ) as Step & { if?: string }
    const output = (artifactId: string, name: string): string =>
      evaluate(job.outputs?.['results-artifact'] ?? '', {
        steps: { results: { outputs: { 'artifact-id': artifactId } } },
        inputs: { 'results-artifact': name }
      })
    const uploads = (name: string, resultsFile: string): string =>
      evaluate(String(upload.if).replace('always()', 'true'), {
        inputs: { 'results-artifact': name },
        steps: { aholo: { outputs: { 'results-file': resultsFile } } }
      })

    test("uploads the action's results-file under the name given, after the action, kept a day", () => {
      const steps = job.steps ?? []
      expect(steps.indexOf(upload)).toBeGreaterThan(steps.indexOf(step))
      expect(upload.with).toMatchObject({
        name: '${{ inputs.results-artifact }}',
        path: `\${{ steps.${step.id}.outputs.results-file }}`,
        'retention-days': 1
      })
      expect(upload.if).toMatch(/^always\(\) && /)
    })

    test('runs only when a name is given and the action wrote the file', () => {
      expect(uploads('aholo-results', '/tmp/r.json')).toBe('true')
      expect(uploads('', '/tmp/r.json')).toBe('false')
      expect(uploads('aholo-results', '')).toBe('false')
    })

    test('gives the name as an output once uploaded, and empty otherwise', () => {
      expect(upload.id).toBe('results')
      expect(output('12345', 'aholo-results')).toBe('aholo-results')
      expect(output('', 'aholo-results')).toBe('')
      expect(output('', '')).toBe('')
      const outputs = call.outputs as Record<string, { value: string }>
      expect(outputs['results-artifact'].value).toBe(
        `\${{ jobs.${jobId}.outputs.results-artifact }}`
      )
    })
  })

  test("has action.yml's defaults (0 and false standing for empty and 'false')", () => {
    const mirrored = actionInputs.filter(name => name in inputs)
    const ours = Object.fromEntries(
      mirrored.map(name => {
        const { type, required, default: value } = inputs[name]
        if (required) return [name, 'required']
        return [name, type === 'number' && value === 0 ? '' : String(value ?? '')]
      })
    )
    const theirs = Object.fromEntries(
      mirrored.map(name => {
        const input = action.inputs[name]
        return [name, input.required ? 'required' : (input.default ?? '')]
      })
    )
    expect(ours).toEqual(theirs)
  })

  test('passes every input on to the action', () => {
    expect(sorted(Object.keys(step.with ?? {}))).toEqual(sorted(actionInputs))
    const unpassed = actionInputs.filter(name => {
      const source = REUSABLE_SECRETS.includes(name) ? `secrets.${name}` : `inputs.${name}`
      return !String(step.with?.[name]).includes(source)
    })
    expect(unpassed).toEqual([])
  })

  test("passes a number input on as empty when it is 0, as only 0 can stand for the action's empty", () => {
    const numbers = actionInputs.filter(name => inputs[name]?.type === 'number')
    expect(numbers.length).toBeGreaterThan(0)
    const unmapped = numbers.filter(name => step.with?.[name] !== `\${{ inputs.${name} || '' }}`)
    expect(unmapped).toEqual([])
    // A number may stand for empty only where 0 is not a value the action accepts.
    const zeroAccepted = numbers.filter(name => {
      try {
        parseInputs(
          input => ({ 'task-ids': 'A1', 'api-key': 'key', [name]: '0' })[input as string] ?? '',
          { workspace: PROJECT_ROOT, env: {} }
        )
        return true
      } catch {
        return false
      }
    })
    expect(zeroAccepted).toEqual([])
  })

  test('hands on every output of the action, through its job', () => {
    const outputs = call.outputs as Record<string, { value: string }>
    expect(sorted(Object.keys(outputs))).toEqual(sorted([...OUTPUT_NAMES, 'results-artifact']))
    for (const name of OUTPUT_NAMES) {
      expect(outputs[name].value).toBe(`\${{ jobs.${jobId}.outputs.${name} }}`)
      expect(job.outputs?.[name]).toBe(`\${{ steps.${step.id}.outputs.${name} }}`)
    }
  })

  test('leaves permissions to its caller, as a called job may not ask for more than that', () => {
    expect(workflow.permissions).toBeUndefined()
    expect(job.permissions).toBeUndefined()
  })
})

describe('uses of the action', () => {
  test('every example uses the action or the reusable workflow', () => {
    const examples = WORKFLOW_FILES.filter(file => file.startsWith('examples/'))
    const using = examples.filter(file =>
      Object.values(workflows.get(file)?.jobs ?? {}).some(
        job => job.uses === REUSABLE_REF || (job.steps ?? []).some(step => isThisAction(step.uses))
      )
    )
    expect(examples.length).toBeGreaterThanOrEqual(5)
    expect(using).toEqual(examples)
  })

  test(`outside this repository's CI the action is ${ACTION_REF}, and the workflow ${REUSABLE_REF}`, () => {
    const refs = actionSteps.map(({ file, step }) => `${file}: ${step.uses}`)
    const expected = actionSteps.map(
      ({ file }) => `${file}: ${file === '.github/workflows/ci.yml' ? './' : ACTION_REF}`
    )
    expect(refs).toEqual(expected)
    const calls = [...workflows].flatMap(([file, workflow]) =>
      Object.values(workflow.jobs).flatMap(job => (job.uses ? [`${file}: ${job.uses}`] : []))
    )
    expect(calls).toEqual(['examples/reusable-caller.yml: ' + REUSABLE_REF])
  })

  test.each(actionSteps.map(({ file, jobId, step }) => [`${file} (${jobId}.${step.id})`, step]))(
    '%s passes only inputs of action.yml, and all the required ones',
    (_where, step) => {
      const given = Object.keys(step.with ?? {})
      const required = actionInputs.filter(name => action.inputs[name].required === true)
      expect(given.filter(name => !actionInputs.includes(name))).toEqual([])
      expect(required.filter(name => !given.includes(name))).toEqual([])
    }
  )

  const uses = [
    ...actionSteps
      .filter(({ file }) => file !== REUSABLE_WORKFLOW)
      .map(({ file, jobId, step }) => [`${file} (${jobId}.${step.id})`, step.with ?? {}] as const),
    ...[...workflows].flatMap(([file, workflow]) =>
      Object.entries(workflow.jobs)
        .filter(([, job]) => job.uses === REUSABLE_REF)
        .map(([jobId, job]) => [`${file} (${jobId})`, callerValues(job)] as const)
    )
  ]

  test.each(uses)(
    "%s gives values the action's own parser accepts, with one way to authenticate",
    (_where, given) => {
      const config = parseAsTheRunnerWould(given)
      const ways = CREDENTIALS.filter(name => given[name] !== undefined)
      expect([['api-key'], ['app-key', 'app-secret', 'app-uid']]).toContainEqual(ways)
      const keyApi = given.provider === 'lux3d' ? 'lux3d' : 'world'
      expect(config.api.kind).toBe(ways[0] === 'api-key' ? keyApi : 'open-platform')
    }
  )

  test('the parser check refuses a use with both ways to authenticate, or an unknown size', () => {
    expect(uses.length).toBeGreaterThanOrEqual(8)
    expect(() =>
      parseAsTheRunnerWould({
        'task-ids': '${{ inputs.task-ids }}',
        'api-key': '${{ secrets.AHOLO_API_KEY }}',
        'app-key': '${{ secrets.AHOLO_APP_KEY }}',
        'app-secret': '${{ secrets.AHOLO_APP_SECRET }}',
        'app-uid': '${{ secrets.AHOLO_APP_UID }}'
      })
    ).toThrow(InputError)
    expect(() =>
      parseAsTheRunnerWould({ 'task-ids': 'A1', 'api-key': 'k', 'max-file-size': '150 megs' })
    ).toThrow(/'max-file-size'/)
  })

  test("every job that waits may run longer than the action's timeout", () => {
    const tooShort = actionSteps.flatMap(({ file, jobId, job, step }) => {
      const minutes = job['timeout-minutes']
      if (typeof minutes !== 'number') return [] // an expression: the caller's to choose
      const timeoutMs = parseDuration(String(step.with?.timeout ?? DEFAULTS.timeout)) as number
      return minutes * 60_000 > timeoutMs ? [] : [`${file} (${jobId}): ${minutes} min`]
    })
    expect(actionSteps.filter(({ job }) => job['timeout-minutes'] === undefined)).toEqual([])
    expect(tooShort).toEqual([])
  })
})

describe('the fan-out over the matrix output', () => {
  const jobs = workflows.get('examples/pass-to-job.yml')?.jobs ?? {}
  const fanOut = Object.values(jobs).find(job =>
    String((job as { strategy?: { matrix?: unknown } }).strategy?.matrix).includes('outputs.matrix')
  ) as Job & { if?: string }

  test('is skipped for the exact value the action gives when no task succeeded', () => {
    const runs = (matrix: string): string =>
      evaluate(String(fanOut.if), { needs: { wait: { outputs: { matrix } } } })
    expect(runs(EMPTY_MATRIX)).toBe('false')
    expect(runs('')).toBe('false')
    expect(runs('{"include":[{"task-id":"A1","state":"succeeded"}]}')).toBe('true')
  })
})

describe('every workflow', () => {
  test('hands values to run scripts through env, never pasting an expression into the script', () => {
    const pasted = allSteps
      .filter(({ step }) => step.run?.includes('${{'))
      .map(({ file, step }) => `${file}: ${step.name ?? step.run}`)
    expect(pasted).toEqual([])
  })

  test('pins other actions to a version tag or a commit SHA', () => {
    const loose = allSteps
      .map(({ file, step }) => ({ file, uses: step.uses }))
      .filter(({ uses }) => uses !== undefined && !isThisAction(uses))
      // An action of this repository's own checkout (./create) is the code under test.
      .filter(({ uses }) => !(uses as string).startsWith('./'))
      // The create action is this repository's too, at the ref versions.test.ts checks.
      .filter(({ uses }) => uses !== `${ACTION_REPOSITORY}/create@${REF}`)
      .filter(
        ({ uses }) => !/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(uses as string)
      )
    expect(loose).toEqual([])
  })

  test('sets its token permissions, unless only called by other workflows', () => {
    const unset = [...workflows]
      .filter(([, workflow]) => !isOnlyCalled(workflow))
      .filter(([, workflow]) => workflow.permissions === undefined)
      .filter(([, workflow]) =>
        Object.values(workflow.jobs).some(job => job.permissions === undefined)
      )
      .map(([file]) => file)
    expect(unset).toEqual([])
  })
})

describe('the self-test job of ci.yml', () => {
  const job = workflows.get('.github/workflows/ci.yml')?.jobs['self-test'] as Job
  const runs = (job.steps ?? []).filter(step => step.uses === './')

  test('runs the action with the simulated service, its test credentials and its scripted tasks', () => {
    const known = [...Object.keys(SELF_TEST_TASKS), MISSING_TASK]
    const onWorld = runs.filter(step => step.with?.['api-key'] !== undefined)
    expect(onWorld).toHaveLength(1)
    expect(onWorld[0].with).toMatchObject({
      'api-key': DEFAULT_API_KEY,
      'api-url': '${{ steps.sim.outputs.world-url }}',
      'task-ids': SELF_TEST_WORLD
    })
    const onOpenPlatform = runs.filter(step => step.with?.['api-key'] === undefined)
    expect(onOpenPlatform.length).toBeGreaterThanOrEqual(2)
    for (const step of onOpenPlatform) {
      expect(step.with).toMatchObject({
        'app-key': DEFAULT_CREDENTIALS.appKey,
        'app-secret': DEFAULT_CREDENTIALS.appSecret,
        'app-uid': DEFAULT_CREDENTIALS.appUid,
        'api-url': '${{ steps.sim.outputs.url }}'
      })
      const ids = String(step.with?.['task-ids']).split(/[\s,]+/)
      expect(ids.filter(id => !known.includes(id))).toEqual([])
    }
  })

  test('scripts/serve-sim.ts publishes its URL, serves the tasks and their files, and stops on SIGTERM', async () => {
    const urlFile = path.join(mkdtempSync(path.join(tmpdir(), 'aholo-serve-sim-')), 'url')
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve-sim.ts', urlFile], {
      cwd: PROJECT_ROOT,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
    const closed = new Promise<number | null>(resolve => child.on('close', code => resolve(code)))
    try {
      const url = await waitForFile(urlFile, 15_000)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

      const timestamp = Date.now()
      const query = new URLSearchParams({
        appuid: DEFAULT_CREDENTIALS.appUid,
        appkey: DEFAULT_CREDENTIALS.appKey,
        timestamp: String(timestamp),
        sign: sign(DEFAULT_CREDENTIALS, timestamp)
      })
      const answer = await fetch(`${url}${TASK_LIST_PATH}?${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(['SIM-OK-1', MISSING_TASK])
      })
      expect(await answer.json()).toEqual({
        c: '0',
        d: [{ taskId: 'SIM-OK-1', status: 0, result: null }],
        m: null,
        f: ''
      })

      const asset = await fetch(`${url}/assets/SIM-OK-1/point_cloud.spz`)
      expect(Buffer.from(await asset.arrayBuffer())).toEqual(
        readFileSync(path.join(PROJECT_ROOT, '__fixtures__/splats/spz/v4_1k_sh3.spz'))
      )

      // The World gateway's URL is written before the open platform's.
      const worldUrl = readFileSync(`${urlFile}-world-url`, 'utf8').trim()
      const world = await fetch(`${worldUrl}/world/v1/${SELF_TEST_WORLD}`, {
        headers: { Authorization: DEFAULT_API_KEY }
      })
      expect(await world.json()).toMatchObject({ worldId: SELF_TEST_WORLD })
    } finally {
      child.kill('SIGTERM')
    }
    expect(await closed).toBe(0)
    expect(stdout).toContain(`POST ${TASK_LIST_PATH} [SIM-OK-1, ${MISSING_TASK}] → ok`)
  })
})

/** Runs __tests__/support/github-parser.ts in a plain Node process (see there for why). */
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
    execFile(process.execPath, args, { cwd: PROJECT_ROOT, env: childEnv() }, (error, out, err) =>
      error
        ? reject(new Error(`The parser process failed: ${error.message}\n${err}`))
        : resolve(out)
    )
  )
  return JSON.parse(stdout) as Record<string, string[]>
}

/** jest's NODE_OPTIONS (--experimental-vm-modules) has no business in a child process. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return env
}

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return readFileSync(file, 'utf8').trim()
}

function isOnlyCalled(workflow: Workflow): boolean {
  const on = workflow.on
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on as object)
  return events.length === 1 && events[0] === 'workflow_call'
}

/** Calls that name an input or output by a string literal rather than through the typed lists. */
function literalNameUses(source: string): string[] {
  const pattern =
    /\b(?:getInput|getBooleanInput|getMultilineInput|setOutput)\(\s*['"`][^'"`]*['"`]|\benv(?:\.|\[\s*['"`])INPUT_\w+/g
  return source.match(pattern) ?? []
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
    .map(entry => path.relative(PROJECT_ROOT, path.join(entry.parentPath, entry.name)))
}

/** The lines under `## <heading>`, up to the next heading of that level or above. */
function sectionOf(markdown: string, heading: string, file: string): string {
  const lines = markdown.split('\n')
  const start = lines.findIndex(line => line.trim() === `## ${heading}`)
  if (start === -1) throw new Error(`${file} has no "## ${heading}" heading`)
  const end = lines.findIndex((line, at) => at > start && /^#{1,2}\s/.test(line))
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n')
}

/** The cells of each row of the first table under `## <heading>`, the header row included. */
function tableRows(markdown: string, heading: string, file: string): string[][] {
  const section = sectionOf(markdown, heading, file).split('\n')
  const first = section.findIndex(line => line.trim().startsWith('|'))
  if (first === -1) throw new Error(`${file} has no table under "## ${heading}"`)
  const rows: string[][] = []
  for (const line of section.slice(first)) {
    if (!line.trim().startsWith('|')) break
    rows.push(line.trim().split('|').slice(1, -1))
  }
  return rows
}

/**
 * The backticked names in the first column of the first table under `## <heading>`. A first
 * cell may hold several names (`` `a`, `b` ``).
 */
function tableNames(markdown: string, heading: string, file: string): string[] {
  return tableRows(markdown, heading, file).flatMap(cells => backticked(cells[0] ?? ''))
}

function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map(match => match[1])
}

/**
 * Runs the action's input parser on a step's `with:` as the runner would see it. An expression
 * is unknown until run time: one that is a whole credential stands for a secret that is set, a
 * whole `task-ids` for a valid id, and any other whole value for an empty one (the default);
 * inside a longer value it becomes `x`.
 */
function parseAsTheRunnerWould(given: Readonly<Record<string, unknown>>): Config {
  const values = Object.fromEntries(
    Object.entries(given).map(([name, raw]) => {
      const text = String(raw)
      if (!/^\$\{\{[^}]*\}\}$/.test(text.trim())) {
        return [name, text.replace(/\$\{\{[^}]*\}\}/g, 'x')]
      }
      if ((CREDENTIALS as readonly string[]).includes(name)) return [name, 'secret-value']
      if (name !== 'task-ids') return [name, '']
      // A stand-in id of the kind the API takes: Lux3D's are whole numbers.
      return [name, given.provider === 'lux3d' ? '1389513' : 'A1']
    })
  )
  return parseInputs(name => values[name] ?? '', { workspace: PROJECT_ROOT, env: {} })
}

/** What a call of the reusable workflow hands the action: its `with:` and its `secrets:`. */
type ContextValue = string | boolean | { [key: string]: ContextValue }
type Contexts = Record<string, { [key: string]: ContextValue }>

/** An expression (`${{ … }}` or bare, as in `if:`) evaluated by GitHub's own evaluator. */
function evaluate(text: string, contexts: Contexts): string {
  const inner = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
  const { tokens } = new Lexer(inner).lex()
  const expression = new Parser(tokens, Object.keys(contexts), []).parse()
  const toData = (value: ContextValue): data.ExpressionData =>
    typeof value === 'string'
      ? new data.StringData(value)
      : typeof value === 'boolean'
        ? new data.BooleanData(value)
        : new data.Dictionary(
            ...Object.entries(value).map(([key, entry]) => ({ key, value: toData(entry) }))
          )
  return new Evaluator(expression, toData(contexts) as data.Dictionary).evaluate().coerceString()
}

function callerValues(job: Job): Record<string, unknown> {
  if (job.secrets === 'inherit') throw new Error('A call with `secrets: inherit` names no secret')
  const values: Record<string, unknown> = { ...job.with, ...job.secrets }
  return Object.fromEntries(
    Object.entries(values).filter(([name]) => (INPUT_NAMES as readonly string[]).includes(name))
  )
}
