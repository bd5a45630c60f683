import { ASSET_FORMATS } from '../src/domain/formats.js'
import type { InputName } from '../src/inputs/contract.js'
import { type Config, InputError, parseInputs } from '../src/inputs/parse.js'

const WORKSPACE = '/home/runner/work/repo/repo'
const VALID: Partial<Record<InputName, string>> = {
  'task-ids': '3FO4K4WBNNYV',
  'app-key': 'key',
  'app-secret': 'super-secret-value',
  'app-uid': 'uid'
}

function parse(inputs: Partial<Record<InputName, string>>, env: NodeJS.ProcessEnv = {}): Config {
  const all = { ...VALID, ...inputs }
  return parseInputs(name => all[name] ?? '', { workspace: WORKSPACE, env })
}

/** The URL of the open-platform choice. */
function apiUrl(config: Config): URL {
  if (config.api.kind !== 'open-platform') throw new Error('expected the open platform')
  return config.api.apiUrl
}

function problems(
  inputs: Partial<Record<InputName, string>>,
  env: NodeJS.ProcessEnv = {}
): string[] {
  try {
    parse(inputs, env)
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
      downloadConnections: 4,
      uploadArtifact: false,
      artifactName: 'aholo-assets',
      retentionDays: undefined,
      githubToken: undefined,
      checkName: 'Aholo 3D tasks'
    })
    expect(apiUrl(config).href).toBe('https://openapi.kujiale.com/')
    expect(config.api).toMatchObject({
      kind: 'open-platform',
      credentials: { appKey: 'key', appSecret: 'super-secret-value', appUid: 'uid' }
    })
    expect(config).toMatchObject({
      compressionLevel: undefined,
      cache: false,
      maxGaussians: undefined,
      maxTriangles: undefined,
      maxFileSizeBytes: undefined
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
      expect(problem).toMatch(
        new RegExp(`^The open platform needs all three .* '${name}' is empty`)
      )
      expect(problem).toContain('check that the secret exists')
    }
  )

  it('never shows the secret in a message', () => {
    const messages = problems({ 'app-secret': 'top secret', 'github-token': 'ghp token' })
    expect(messages.join('\n')).not.toMatch(/top secret|ghp token/)
    expect(messages.join('\n')).toContain("'app-secret' must not contain spaces")
    expect(messages.join('\n')).toContain('(its value is not shown)')
  })

  describe('api-url', () => {
    it('accepts https and strips a trailing slash from a path prefix', () => {
      expect(apiUrl(parse({ 'api-url': 'https://mirror.example.com/kujiale/' })).href).toBe(
        'https://mirror.example.com/kujiale'
      )
    })

    it('accepts http only for loopback hosts', () => {
      expect(apiUrl(parse({ 'api-url': 'http://127.0.0.1:8080' })).host).toBe('127.0.0.1:8080')
      expect(apiUrl(parse({ 'api-url': 'http://127.9.8.7:8080' })).host).toBe('127.9.8.7:8080')
      expect(apiUrl(parse({ 'api-url': 'http://localhost:9' })).host).toBe('localhost:9')
      expect(apiUrl(parse({ 'api-url': 'http://[::1]:9' })).host).toBe('[::1]:9')
      expect(problems({ 'api-url': 'http://openapi.kujiale.com' })[0]).toMatch(
        /'api-url' must be an https:\/\/ URL/
      )
    })

    it.each([
      'openapi.kujiale.com',
      'ftp://x.com',
      'https://u:p@x.com',
      'https://x.com/?a=1',
      'http://127.0.0.1.attacker.invalid:9',
      'http://app.localhost:9'
    ])('rejects %j', url => {
      expect(problems({ 'api-url': url })[0]).toMatch(/^'api-url'/)
    })
  })

  describe('durations', () => {
    it('reads poll-interval and timeout', () => {
      const config = parse({ 'poll-interval': '30', timeout: '1h' })
      expect(config.pollIntervalMs).toBe(30_000)
      expect(config.timeoutMs).toBe(3_600_000)
      expect(config.warnings).toEqual([])
    })

    it.each(['30', '59s'])(
      'warns that a timeout of %s is under a minute, and what a number means',
      timeout => {
        const config = parse({ timeout })
        expect(config.warnings).toEqual([
          expect.stringContaining('a plain number is seconds (timeout: 30 waits 30 seconds)')
        ])
      }
    )

    it('says nothing of a timeout of a minute or more', () => {
      expect(parse({ timeout: '60' }).warnings).toEqual([])
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
      ['all', [...ASSET_FORMATS]],
      ['ALL', [...ASSET_FORMATS]],
      ['sog, ply', ['ply', 'sog']],
      ['glb 3mf image', ['glb', '3mf', 'image']],
      ['spz\nspz', ['spz']],
      ['["sog"]', ['sog']]
    ])('reads %j', (text, formats) => {
      expect(parse({ download: text }).download).toEqual(formats)
    })

    it('rejects an unknown format, naming it', () => {
      expect(problems({ download: 'ply, gltf' })[0]).toBe(
        `'download' must be none, all, or a list of ply, spz, sog, glb, usdz, obj, fbx, stl, 3mf, zip, image; got "ply, gltf" ("gltf" not allowed).`
      )
    })
  })

  describe('download-connections', () => {
    it('takes 1 to 16', () => {
      expect(parse({ 'download-connections': '1' }).downloadConnections).toBe(1)
      expect(parse({ 'download-connections': '16' }).downloadConnections).toBe(16)
    })

    it.each(['0', '17', '2.5', 'four', '-1'])('refuses %s', text => {
      expect(problems({ 'download-connections': text })).toEqual([
        `'download-connections' must be a whole number from 1 to 16 (1: one connection per file); got "${text}".`
      ])
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

  it('passes retention-days above 90 on, for the repository setting to cap, as upload-artifact does', () => {
    expect(parse({ 'retention-days': '1' }).retentionDays).toBe(1)
    expect(parse({ 'retention-days': '90' }).retentionDays).toBe(90)
    expect(parse({ 'retention-days': '91' }).retentionDays).toBe(91)
    expect(parse({ 'retention-days': '400' }).retentionDays).toBe(400)
    expect(parse({ 'retention-days': '36500' }).retentionDays).toBe(36_500)
    expect(parse({ 'retention-days': '' }).retentionDays).toBeUndefined()
    for (const bad of ['0', '36501', '7.5', 'week', '-1']) {
      expect(problems({ 'retention-days': bad })[0]).toMatch(
        /^'retention-days' must be a whole number of days from 1 to 36500 \(the repository's setting caps it, 90 by default\)/
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
      'retention-days': '0',
      'max-file-size': '2 gigs'
    })
    expect(all).toHaveLength(7)
    expect(all[1]).toMatch(/^The open platform needs all three .* 'app-key' is empty/)
    expect(all.map(p => p.match(/^'([a-z-]+)'/)?.[1])).toEqual([
      'task-ids',
      undefined,
      'poll-interval',
      'fail-on',
      'download',
      'retention-days',
      'max-file-size'
    ])
  })

  describe('which API the credentials pick', () => {
    const NO_OPEN_PLATFORM = { 'app-key': '', 'app-secret': '', 'app-uid': '' }

    it('takes an api-key to mean the World gateway, in the cn region by default', () => {
      const config = parse({ ...NO_OPEN_PLATFORM, 'api-key': 'sk-world-123' })
      expect(config.api).toEqual({
        kind: 'world',
        apiKey: 'sk-world-123',
        region: 'cn',
        apiUrl: undefined
      })
    })

    it('reads the region and an api-url that keeps its own path', () => {
      const config = parse({
        ...NO_OPEN_PLATFORM,
        'api-key': 'key-123',
        region: 'global',
        'api-url': 'https://mirror.example.com/aholo/'
      })
      expect(config.api).toMatchObject({ kind: 'world', region: 'global' })
      expect(config.api.kind === 'world' && config.api.apiUrl?.href).toBe(
        'https://mirror.example.com/aholo'
      )
    })

    it('refuses both kinds of credentials under provider auto, naming both ways', () => {
      const [problem] = problems({ 'api-key': 'key-123' })
      expect(problem).toContain("Give either 'api-key'")
      expect(problem).toContain("'app-key', 'app-secret' and 'app-uid'")
      expect(problem).toContain("set 'provider' to world or open-platform")
    })

    it('refuses neither kind, naming both ways', () => {
      const [problem] = problems(NO_OPEN_PLATFORM)
      expect(problem).toMatch(/^Give either 'api-key' .* none is set/)
    })

    it('refuses an incomplete open-platform set, naming what is missing', () => {
      const [problem] = problems({ 'app-uid': '' })
      expect(problem).toContain("'app-uid' is empty")
      expect(problem).toContain("Or use 'api-key'")
    })

    it('lets an explicit provider ignore the other kind, with a notice', () => {
      const world = parse({ 'api-key': 'key-123', provider: 'world' })
      expect(world.api.kind).toBe('world')
      expect(world.notices).toEqual([
        "'provider' is world, so 'app-key', 'app-secret', 'app-uid' are ignored."
      ])
      const openPlatform = parse({ 'api-key': 'key-123', provider: 'open-platform' })
      expect(openPlatform.api.kind).toBe('open-platform')
      expect(openPlatform.notices).toEqual([
        "'provider' is open-platform, so 'api-key' is ignored."
      ])
    })

    it('needs the api-key under provider world', () => {
      expect(problems({ provider: 'world' })[0]).toMatch(
        /^'api-key' is required with 'provider: world'/
      )
    })

    it('rejects an unknown provider or region', () => {
      expect(problems({ provider: 'kujiale' })[0]).toMatch(
        /^'provider' must be one of auto, world, lux3d, open-platform/
      )
      expect(problems({ region: 'eu' })[0]).toMatch(/^'region' must be one of cn, global/)
    })

    describe('provider lux3d', () => {
      const lux3d = { ...NO_OPEN_PLATFORM, 'api-key': 'key-123456', provider: 'lux3d' }

      it('takes the api-key, region and api-url as World does; auto stays World', () => {
        const config = parse({
          ...lux3d,
          'task-ids': '1, 9223372036854775807',
          region: 'global',
          'api-url': 'http://127.0.0.1:8080/mirror/'
        })
        expect(config.api).toEqual({
          kind: 'lux3d',
          apiKey: 'key-123456',
          region: 'global',
          apiUrl: new URL('http://127.0.0.1:8080/mirror')
        })
        // Beyond 2^53 the id stays the text it was: no digit is lost to a number.
        expect(config.taskIds).toEqual(['1', '9223372036854775807'])
        expect(parse({ ...NO_OPEN_PLATFORM, 'api-key': 'key-123456' }).api.kind).toBe('world')
      })

      it.each(['3FO4K4WBNNYV', '12345678901234567890', '0', '0123', '-5', '1.5'])(
        'refuses %s, naming provider lux3d',
        id => {
          expect(problems({ ...lux3d, 'task-ids': `42 ${id}` })).toContain(
            `'task-ids' has an id that is not a Lux3D task id: ${JSON.stringify(id)}. With 'provider: lux3d' each id is a whole number of 1-19 digits without a leading zero.`
          )
        }
      )

      it('needs the api-key, naming provider lux3d', () => {
        expect(problems({ ...lux3d, 'api-key': '', 'task-ids': '42' })[0]).toMatch(
          /^'api-key' is required with 'provider: lux3d'/
        )
      })
    })

    it('never shows the api-key', () => {
      const messages = problems({ ...NO_OPEN_PLATFORM, 'api-key': 'sk with spaces' })
      expect(messages.join('\n')).not.toContain('sk with spaces')
    })
  })

  describe('limits', () => {
    it.each(['poll-interval', 'timeout'] as const)('refuses %s above 24 days', name => {
      expect(problems({ [name]: '597h' })).toEqual([
        `'${name}' must be at most 24 days (576h); got "597h".`
      ])
      expect(parse({ [name]: '576h' })).toBeDefined()
    })

    it.each(['poll-interval', 'timeout'] as const)(
      'enforces the limit it states: %s 577h is refused, 576h taken whole',
      name => {
        expect(problems({ [name]: '577h' })).toEqual([
          `'${name}' must be at most 24 days (576h); got "577h".`
        ])
        // 576h + 1 s is past the stated limit too, though a Node timer would still hold it.
        expect(problems({ [name]: `${576 * 3600 + 1}` })).toHaveLength(1)
        const config = parse({ [name]: '576h' })
        const ms = name === 'timeout' ? config.timeoutMs : config.pollIntervalMs
        expect(ms).toBe(576 * 60 * 60 * 1000)
      }
    )

    it('reads compression-level from 0 to 9, or empty', () => {
      expect(parse({ 'compression-level': '0' }).compressionLevel).toBe(0)
      expect(parse({ 'compression-level': '9' }).compressionLevel).toBe(9)
      for (const bad of ['10', '-1', 'max', '6.5']) {
        expect(problems({ 'compression-level': bad })[0]).toMatch(
          /^'compression-level' must be a whole number from 0/
        )
      }
    })

    it('turns the cache on by itself only on self-hosted runners', () => {
      expect(parse({}, { RUNNER_ENVIRONMENT: 'self-hosted' }).cache).toBe(true)
      expect(parse({}, { RUNNER_ENVIRONMENT: 'github-hosted' }).cache).toBe(false)
      expect(parse({ cache: 'true' }, { RUNNER_ENVIRONMENT: 'github-hosted' }).cache).toBe(true)
      expect(parse({ cache: 'false' }, { RUNNER_ENVIRONMENT: 'self-hosted' }).cache).toBe(false)
      expect(problems({ cache: 'yes' })[0]).toMatch(/^'cache' must be one of auto, true, false/)
    })

    it('reads the budgets strictly', () => {
      expect(parse({ 'max-gaussians': '4000000', 'max-file-size': '150MB' })).toMatchObject({
        maxGaussians: 4_000_000,
        maxFileSizeBytes: 150_000_000
      })
      expect(parse({ 'max-file-size': '2GiB' }).maxFileSizeBytes).toBe(2 * 2 ** 30)
      expect(problems({ 'max-gaussians': '4M' })[0]).toMatch(
        /^'max-gaussians' must be a positive whole number/
      )
      expect(problems({ 'max-gaussians': '0' })[0]).toMatch(/^'max-gaussians'/)
      expect(parse({ 'max-triangles': '100000' }).maxTriangles).toBe(100_000)
      for (const bad of ['100k', '0', '-5', '1.5', '1e5']) {
        expect(problems({ 'max-triangles': bad })).toEqual([
          `'max-triangles' must be a positive whole number of triangles, or empty for no limit; got "${bad}".`
        ])
      }
      for (const bad of ['150mb', '1TB', 'big', '0', '0.5', '0.4', '1.0001kB']) {
        expect(problems({ 'max-file-size': bad })[0]).toMatch(
          /^'max-file-size' must be a whole number of bytes written as a size such as 150MB/
        )
      }
    })

    it('refuses a secret under 6 characters, without showing it, and says why', () => {
      const messages = problems({ 'app-secret': 'null', 'github-token': 'ply' })
      expect(messages).toEqual([
        expect.stringMatching(
          /^'app-secret' is shorter than 6 characters \(its value is not shown\): a secret that short cannot be kept out of logs/
        ),
        expect.stringMatching(/^'github-token' is shorter than 6 characters/)
      ])
      expect(messages.join()).not.toMatch(/null|ply/)
      expect(parse({ 'app-secret': 'abcdef' }).api).toMatchObject({ kind: 'open-platform' })
    })

    it('refuses more than 5000 task ids, naming the count and the limit', () => {
      const ids = (n: number): string => Array.from({ length: n }, (_, i) => `T${i}`).join(' ')
      expect(parse({ 'task-ids': ids(5000) }).taskIds).toHaveLength(5000)
      expect(problems({ 'task-ids': ids(5001) })).toEqual([
        `'task-ids' lists 5001 ids; at most 5000 are waited for in one step. Split them over several steps or jobs (a matrix).`
      ])
    })

    it('refuses upload-artifact on GitHub Enterprise Server, and allows it on GHE.com', () => {
      const upload = { download: 'ply', 'upload-artifact': 'true' }
      expect(problems(upload, { GITHUB_SERVER_URL: 'https://git.example.com' })[0]).toContain(
        'GitHub Enterprise Server'
      )
      expect(parse(upload, { GITHUB_SERVER_URL: 'https://octo.ghe.com' }).uploadArtifact).toBe(true)
      expect(parse(upload, { GITHUB_SERVER_URL: 'https://github.com' }).uploadArtifact).toBe(true)
    })
  })
})
