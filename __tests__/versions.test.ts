/**
 * One version story: CHANGELOG.md (what is released, what the next release is), package.json,
 * SECURITY.md, both READMEs and every use of the action in the examples, the workflows and the
 * docs say the same thing. Fails when one of them is left behind by a release.
 */
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { PROJECT_ROOT } from '../sim/runner.js'
import {
  actionUses,
  allowedRefs,
  disagreeing,
  nextVersion,
  readmeStatus,
  readmeZhStatus,
  readVersionStory,
  releasedVersions
} from './support/versions.js'

const read = (file: string): string => readFileSync(path.join(PROJECT_ROOT, file), 'utf8')
const filesIn = (dir: string, pattern: RegExp): string[] =>
  readdirSync(path.join(PROJECT_ROOT, dir))
    .filter(name => pattern.test(name))
    .sort()
    .map(name => (dir === '.' ? name : `${dir}/${name}`))

/** Where users read how to use the action. CHANGELOG.md is the story itself, so it is not here. */
const DOCS = [
  ...filesIn('.', /^(README.*|SECURITY|CONTRIBUTING|BENCHMARKS)\.md$/),
  ...filesIn('docs', /\.md$/),
  ...filesIn('examples', /\.(md|ya?ml)$/),
  ...filesIn('.github/workflows', /\.ya?ml$/),
  'action.yml',
  'create/action.yml'
]
const story = readVersionStory(PROJECT_ROOT)
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version
const major = (version: string): number => Number(version.split('.')[0])
const newer = (a: string, b: string): boolean => {
  const [x, y] = [a, b].map(version => version.split('.').map(Number))
  const at = x.findIndex((part, i) => part !== y[i])
  return at !== -1 && x[at] > y[at]
}

describe('the readers', () => {
  const changelog = [
    '# Changelog',
    '## [Unreleased]',
    'These changes will be released as **2.0.0**.',
    '## [1.1.0] - 2026-01-02',
    '## [1.0.0] - 2026-01-01',
    ''
  ].join('\n')

  test('read the released versions, newest first, and the next one', () => {
    expect(releasedVersions(changelog)).toEqual(['1.1.0', '1.0.0'])
    expect(nextVersion(changelog)).toBe('2.0.0')
    expect(nextVersion(changelog.replace('will be released as **2.0.0**', 'x'))).toBeUndefined()
  })

  test("read both READMEs' status lines", () => {
    expect(
      readmeStatus('latest release **1.1.0**; until 2.0.0 is released, use `@main` for it')
    ).toEqual({ latest: '1.1.0', next: '2.0.0', preReleaseRef: 'main' })
    expect(readmeZhStatus('最新发布 **1.1.0**；2.0.0 发布之前请使用 `@main`')).toEqual({
      latest: '1.1.0',
      next: '2.0.0',
      preReleaseRef: 'main'
    })
  })

  test('find a use that disagrees, and accept placeholders', () => {
    const text = [
      'uses: aholo-dev/aholo-task-action@v1',
      '`aholo-dev/aholo-task-action/create@main`',
      'uses: aholo-dev/aholo-task-action/.github/workflows/aholo-wait.yml@v0',
      'aholo-dev/aholo-task-action@<40-hex-sha> # v1.2.3'
    ].join('\n')
    const uses = actionUses('x.yml', text)
    expect(uses).toHaveLength(4)
    expect(disagreeing(uses, ['main'])).toEqual([
      'x.yml:1: aholo-dev/aholo-task-action@v1',
      'x.yml:3: aholo-dev/aholo-task-action/.github/workflows/aholo-wait.yml@v0'
    ])
    const released = { released: ['1.1.0'] }
    expect(disagreeing(uses, allowedRefs(released))).toEqual([
      'x.yml:2: aholo-dev/aholo-task-action/create@main',
      'x.yml:3: aholo-dev/aholo-task-action/.github/workflows/aholo-wait.yml@v0'
    ])
    expect(allowedRefs(released)).toEqual(['v1', 'v1.1', 'v1.1.0'])
  })
})

describe('the version story', () => {
  const latest = story.released[0]

  test('CHANGELOG.md lists a release, and package.json has its version', () => {
    expect(latest).toBeDefined()
    expect(packageVersion).toBe(latest)
  })

  test('README.md and README.zh-CN.md name the latest release in their status lines', () => {
    expect(story.readmeLatest).toBe(latest)
    expect(readmeZhStatus(read('README.zh-CN.md')).latest).toBe(latest)
  })

  test('the next version is newer than every release, and the READMEs name it with the same ref', () => {
    if (story.next === undefined) {
      // No release announced: no pre-release ref either.
      expect(story.preReleaseRef).toBeUndefined()
      return
    }
    expect(newer(story.next, latest)).toBe(true)
    expect(story.released).not.toContain(story.next)
    expect(story.readmeNext).toBe(story.next)
    const zh = readmeZhStatus(read('README.zh-CN.md'))
    expect([zh.next, zh.preReleaseRef]).toEqual([story.next, story.preReleaseRef])
  })

  test('a pre-release ref is stated only while the next version is unreleased', () => {
    if (story.preReleaseRef === undefined) return
    expect(story.next).toBeDefined()
    expect(story.released).not.toContain(story.readmeNext)
  })

  test('SECURITY.md names the latest release, and the next one with its ref while it is out of reach', () => {
    const security = read('SECURITY.md')
    expect(security).toContain(latest)
    expect(security).toContain(`\`v${major(latest)}\``)
    if (story.next && story.preReleaseRef) {
      expect(security).toContain(story.next)
      expect(security).toContain(`\`@${story.preReleaseRef}\``)
    }
  })
})

describe('uses of the action', () => {
  const uses = DOCS.flatMap(file => actionUses(file, read(file)))

  test('are found in the examples, the reusable workflow and both READMEs', () => {
    const files = new Set(uses.map(use => use.file))
    for (const file of ['README.md', 'README.zh-CN.md', '.github/workflows/aholo-wait.yml'])
      expect(files).toContain(file)
    expect([...files].filter(file => file.startsWith('examples/')).length).toBeGreaterThan(5)
    expect(uses.some(use => use.what === '/create')).toBe(true)
  })

  test('name a released version, or the pre-release ref the README states', () => {
    expect(disagreeing(uses, allowedRefs(story))).toEqual([])
  })
})
