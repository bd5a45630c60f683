import { type Config, InputError, type InputName, parseInputs } from '../src/inputs/parse.js'

const WORKSPACE = '/home/runner/work/repo/repo'
const VALID: Partial<Record<InputName, string>> = {
  'task-ids': '3FO4K4WBNNYV',
  'app-key': 'key',
  'app-secret': 'super-secret-value',
  'app-uid': 'uid'
}

function parse(inputs: Partial<Record<InputName, string>>): Config {
  const all = { ...VALID, ...inputs }
  return parseInputs(name => all[name] ?? '', WORKSPACE)
}

function problems(inputs: Partial<Record<InputName, string>>): string[] {
  try {
    parse(inputs)
  } catch (error) {
    if (error instanceof InputError) return error.problems
    throw error
  }
  throw new Error('expected an InputError')
}

describe('parseInputs', () => {
  it('applies the defaults of action.yml', () => {
    const config = parse({})
    expect(config).toMatchObject({
      taskIds: ['3FO4K4WBNNYV'],
      pollIntervalMs: 10_000,
      timeoutMs: 1_800_000,
      failOn: 'any',
      download: [],
      downloadDir: `${WORKSPACE}/aholo-assets`,
      uploadArtifact: false,
      artifactName: 'aholo-assets',
      retentionDays: undefined,
      githubToken: undefined,
      checkName: 'Aholo 3D tasks'
    })
    expect(config.apiUrl.href).toBe('https://openapi.kujiale.com/')
    expect(config.credentials).toEqual({
      appKey: 'key',
      appSecret: 'super-secret-value',
      appUid: 'uid'
    })
  })

  describe('task-ids', () => {
    it.each([
      ['newlines', 'A1\nB2\nC3'],
      ['commas', 'A1,B2, C3'],
      ['spaces', 'A1 B2  C3'],
      ['a JSON array', '["A1", "B2", "C3"]'],
      ['a mix with blank lines', '\nA1,\n\nB2 C3\n']
    ])('accepts a list separated by %s', (_, text) => {
      expect(parse({ 'task-ids': text }).taskIds).toEqual(['A1', 'B2', 'C3'])
    })

    it('drops duplicates with a notice, keeping the first order', () => {
      const config = parse({ 'task-ids': 'B2 A1 B2 A1 C3' })
      expect(config.taskIds).toEqual(['B2', 'A1', 'C3'])
      expect(config.notices).toEqual([expect.stringContaining('2 duplicate ids')])
    })

    it('rejects an empty value, naming the input', () => {
      expect(problems({ 'task-ids': ' \n ' })).toEqual([
        expect.stringMatching(/^'task-ids' is required/)
      ])
    })

    it('rejects ids outside the allowed pattern, showing them and the rule', () => {
      const [problem] = problems({ 'task-ids': 'good-1, bad!id, ' + 'x'.repeat(65) })
      expect(problem).toContain("'task-ids'")
      expect(problem).toContain('"bad!id"')
      expect(problem).toContain('1-64 characters')
    })

    it('rejects broken JSON and arrays of non-strings', () => {
      expect(problems({ 'task-ids': '["A1", ' })[0]).toMatch(/'task-ids' is not a valid JSON array/)
      expect(problems({ 'task-ids': '[1, 2]' })[0]).toMatch(
        /'task-ids' must be a JSON array of strings/
      )
    })
  })

  it.each(['app-key', 'app-secret', 'app-uid'] as const)(
    'requires %s, with a hint about secrets',
    name => {
      const [problem] = problems({ [name]: '' })
      expect(problem).toMatch(new RegExp(`^'${name}' is required`))
      expect(problem).toContain('secret')
    }
  )

  it('never shows the secret in a message', () => {
    const messages = problems({ 'app-secret': 'top secret', 'github-token': 'ghp token' })
    expect(messages.join('\n')).not.toMatch(/top secret|ghp token/)
    expect(messages.join('\n')).toContain("'app-secret' must not contain spaces")
  })

  describe('api-url', () => {
    it('accepts https and strips a trailing slash from a path prefix', () => {
      expect(parse({ 'api-url': 'https://mirror.example.com/kujiale/' }).apiUrl.href).toBe(
        'https://mirror.example.com/kujiale'
      )
    })

    it('accepts http only for loopback hosts', () => {
      expect(parse({ 'api-url': 'http://127.0.0.1:8080' }).apiUrl.host).toBe('127.0.0.1:8080')
      expect(parse({ 'api-url': 'http://localhost:9' }).apiUrl.host).toBe('localhost:9')
      expect(problems({ 'api-url': 'http://openapi.kujiale.com' })[0]).toMatch(
        /'api-url' must be an https:\/\/ URL/
      )
    })

    it.each(['openapi.kujiale.com', 'ftp://x.com', 'https://u:p@x.com', 'https://x.com/?a=1'])(
      'rejects %j',
      url => {
        expect(problems({ 'api-url': url })[0]).toMatch(/^'api-url'/)
      }
    )
  })

  describe('durations', () => {
    it('reads poll-interval and timeout', () => {
      const config = parse({ 'poll-interval': '30', timeout: '1h' })
      expect(config.pollIntervalMs).toBe(30_000)
      expect(config.timeoutMs).toBe(3_600_000)
      expect(config.warnings).toEqual([])
    })

    it('warns under the vendor minimum of 5 s but accepts it', () => {
      const config = parse({ 'poll-interval': '500ms' })
      expect(config.pollIntervalMs).toBe(500)
      expect(config.warnings).toEqual([expect.stringContaining('5s')])
    })

    it.each(['poll-interval', 'timeout'] as const)(
      'rejects a bad %s with the allowed forms',
      name => {
        expect(problems({ [name]: '10 minutes' })).toEqual([
          `'${name}' must be a positive duration such as 500ms, 10s, 2m, 1h or plain seconds (30); got "10 minutes".`
        ])
        expect(problems({ [name]: '0s' })[0]).toContain(`'${name}' must be a positive duration`)
      }
    )
  })

  it('reads fail-on from its three values and rejects others', () => {
    for (const value of ['any', 'all', 'never'])
      expect(parse({ 'fail-on': value }).failOn).toBe(value)
    expect(problems({ 'fail-on': 'some' })).toEqual([
      `'fail-on' must be one of any, all, never; got "some".`
    ])
  })

  describe('download', () => {
    it.each([
      ['none', []],
      ['all', ['ply', 'spz', 'sog']],
      ['ALL', ['ply', 'spz', 'sog']],
      ['sog, ply', ['ply', 'sog']],
      ['spz\nspz', ['spz']],
      ['["sog"]', ['sog']]
    ])('reads %j', (text, formats) => {
      expect(parse({ download: text }).download).toEqual(formats)
    })

    it('rejects an unknown format, naming it', () => {
      expect(problems({ download: 'ply, obj' })[0]).toBe(
        `'download' must be none, all, or a list of ply, spz, sog; got "ply, obj" ("obj" not allowed).`
      )
    })
  })

  describe('download-dir', () => {
    it('resolves relative to the workspace, or takes an absolute path', () => {
      expect(parse({ 'download-dir': 'out/splats' }).downloadDir).toBe(`${WORKSPACE}/out/splats`)
      expect(parse({ 'download-dir': '/tmp/assets' }).downloadDir).toBe('/tmp/assets')
    })

    it('refuses a relative path that climbs out of the workspace', () => {
      expect(problems({ 'download-dir': '../../elsewhere' })[0]).toMatch(
        /'download-dir' must stay inside the workspace/
      )
    })
  })

  describe('upload-artifact', () => {
    it('reads YAML booleans', () => {
      expect(parse({ 'upload-artifact': 'True', download: 'all' }).uploadArtifact).toBe(true)
      expect(parse({ 'upload-artifact': 'FALSE' }).uploadArtifact).toBe(false)
    })

    it('rejects anything else rather than guessing', () => {
      expect(problems({ 'upload-artifact': 'yes' })).toEqual([
        `'upload-artifact' must be true or false; got "yes".`
      ])
    })

    it('needs something downloaded to upload', () => {
      expect(problems({ 'upload-artifact': 'true' })[0]).toMatch(
        /'upload-artifact' is true but 'download' is "none"/
      )
    })
  })

  it('rejects artifact names the artifact service refuses', () => {
    expect(problems({ 'artifact-name': 'a/b' })[0]).toMatch(
      /^'artifact-name' must be a non-empty name without/
    )
  })

  it('reads retention-days from 1 to 90, or empty', () => {
    expect(parse({ 'retention-days': '90' }).retentionDays).toBe(90)
    expect(parse({ 'retention-days': '' }).retentionDays).toBeUndefined()
    for (const bad of ['0', '91', '7.5', 'week']) {
      expect(problems({ 'retention-days': bad })[0]).toMatch(
        /^'retention-days' must be a whole number of days from 1 to 90/
      )
    }
  })

  it('keeps the github token and the check name', () => {
    const config = parse({ 'github-token': 'ghs_abc', 'check-name': 'Splats' })
    expect(config.githubToken).toBe('ghs_abc')
    expect(config.checkName).toBe('Splats')
  })

  it('reports every problem at once', () => {
    const all = problems({
      'task-ids': 'ok bad!',
      'app-key': '',
      'poll-interval': 'soon',
      'fail-on': 'maybe',
      download: 'gltf',
      'retention-days': '365'
    })
    expect(all).toHaveLength(6)
    expect(all.map(p => p.match(/^'([a-z-]+)'/)?.[1])).toEqual([
      'task-ids',
      'app-key',
      'poll-interval',
      'fail-on',
      'download',
      'retention-days'
    ])
  })
})
