/**
 * The create action's pure parts: its inputs (src/create/inputs.ts) and its jobs, bodies and
 * tags (src/create/plan.ts). Files come in as values; no file system, no network.
 */
import type { CreateInputName } from '../src/inputs/create-contract.js'
import { type CreateConfig, parseCreateInputs } from '../src/create/inputs.js'
import {
  type JobInput,
  jobTag,
  type LocalFile,
  planJobs,
  requestOf,
  resourceTypeOf,
  taggedName,
  tagInName
} from '../src/create/plan.js'

const WORKSPACE = '/work/space'

function parse(inputs: Partial<Record<CreateInputName, string>>): {
  config?: CreateConfig
  problems: string[]
} {
  return parseCreateInputs(name => inputs[name] ?? '', WORKSPACE)
}

function config(inputs: Partial<Record<CreateInputName, string>>): CreateConfig {
  const { config, problems } = parse({ 'api-key': 'key-0123456789', ...inputs })
  expect(problems).toEqual([])
  return config as CreateConfig
}

function files(folder: string, count: number, extension = 'jpg', bytes = 1000): LocalFile[] {
  return Array.from({ length: count }, (_, i) => {
    const relative = `${folder ? `${folder}/` : ''}img_${String(i).padStart(3, '0')}.${extension}`
    return { path: `${WORKSPACE}/${relative}`, relative, bytes }
  })
}

const fileOf = (): undefined => undefined
const link = (item: JobInput): string =>
  item.kind === 'url' ? item.url : `https://cdn.example.com/${item.file.relative}`

describe('the inputs of the create action', () => {
  it('reports every problem at once, naming each input', () => {
    const { config, problems } = parse({
      job: 'reconstruction',
      region: 'eu',
      timeout: 'soon',
      quality: 'ultra',
      'group-by': 'day',
      'dry-run': 'yes',
      style: 'cartoon'
    })
    expect(config).toBeUndefined()
    const named = (name: string): boolean => problems.some(p => p.includes(`'${name}'`))
    for (const name of ['region', 'timeout', 'quality', 'group-by', 'dry-run', 'scene', 'files']) {
      expect(named(name)).toBe(true)
    }
    // `style` is text-to-3d's, and not its default: a mistake worth naming.
    expect(problems).toContainEqual(
      expect.stringMatching(/^'style' is not an input of job reconstruction/)
    )
  })

  it('needs an api-key except on a dry run', () => {
    expect(parse({ job: 'text-to-3d', prompt: 'a chair' }).problems).toEqual([
      expect.stringMatching(/^'api-key' is required \(except with dry-run: true\)/)
    ])
    expect(parse({ job: 'text-to-3d', prompt: 'a chair', 'dry-run': 'true' }).problems).toEqual([])
  })

  it('takes no other value of job, and says which there are', () => {
    expect(parse({ job: 'video-to-3d', 'api-key': 'key-0123456789' }).problems).toEqual([
      `'job' must be one of reconstruction, generation, image-to-3d, text-to-3d; got "video-to-3d".`
    ])
    expect(parse({ 'api-key': 'key-0123456789' }).problems[0]).toMatch(/^'job' is required/)
  })

  it("passes the runner's defaults of other jobs' inputs without a word", () => {
    const parsed = config({
      job: 'reconstruction',
      files: 'photos/**',
      scene: 'space',
      style: 'photorealistic',
      version: 'G1',
      quality: 'normal',
      'group-by': 'none'
    })
    expect(parsed.job).toMatchObject({ kind: 'reconstruction', quality: 'normal', useMask: false })
    expect(parsed.timeoutMs).toBe(30 * 60_000)
    expect(parsed.region).toBe('cn')
  })

  it('refuses files and urls together, and group-by folder with urls', () => {
    const { problems } = parse({
      job: 'reconstruction',
      'api-key': 'key-0123456789',
      scene: 'model',
      files: 'a/*.jpg',
      urls: 'https://cdn.example.com/a.jpg',
      'group-by': 'folder'
    })
    expect(problems).toEqual([
      "Give 'files' or 'urls' for job reconstruction, not both.",
      "'group-by: folder' groups matched 'files'; it does not apply to 'urls'."
    ])
  })

  it('reads a link as a link and anything else as a path; other schemes are refused', () => {
    const parsed = config({
      job: 'generation',
      image: 'https://cdn.example.com/room.png',
      cover: 'covers/room.jpg'
    })
    expect(parsed.job).toMatchObject({
      image: { kind: 'url', url: 'https://cdn.example.com/room.png' },
      cover: { kind: 'file', path: `${WORKSPACE}/covers/room.jpg`, given: 'covers/room.jpg' }
    })
    const { problems } = parse({
      job: 'generation',
      'api-key': 'key-0123456789',
      image: 'data:image/png;base64,AAAA',
      cover: 'http://cdn.example.com/c.jpg'
    })
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^'image' takes https:\/\/ links/)
    expect(problems[1]).toMatch(/^'cover' takes https:\/\/ links/)
    expect(config({ job: 'generation', image: 'http://127.0.0.1:8080/a.jpg' }).job).toMatchObject({
      image: { kind: 'url' }
    })
  })

  it('checks the Lux3D model options, and passes another version on with a notice', () => {
    const { problems } = parse({
      job: 'image-to-3d',
      'api-key': 'key-0123456789',
      image: 'https://cdn.example.com/a.png',
      'face-count': '9999',
      'output-format': 'glb, usdz',
      'enable-pbr': 'maybe',
      'texture-size': '2k'
    })
    expect(problems.map(p => p.slice(0, 16))).toEqual([
      "'face-count' mus",
      "'output-format' ",
      "'enable-pbr' mus",
      "'texture-size' m"
    ])
    const parsed = config({
      job: 'text-to-3d',
      prompt: 'a chair',
      version: 'v3.0-standard',
      'face-count': '300000',
      'output-format': 'glb,ply glb',
      'enable-pbr': 'false',
      'texture-size': '1024'
    })
    expect(parsed.job).toMatchObject({
      style: 'photorealistic',
      model: {
        version: 'v3.0-standard',
        faceCount: 300000,
        outputFormat: ['glb', 'ply'],
        enablePbr: false,
        textureSize: 1024
      }
    })
    expect(parsed.notices).toEqual([expect.stringContaining('"v3.0-standard"')])
  })

  it('takes one image or 1-32 views (G1 only), not both', () => {
    const views = Array.from({ length: 33 }, (_, i) => `https://cdn.example.com/v${i}.png`)
    const many = parse({
      job: 'image-to-3d',
      'api-key': 'key-0123456789',
      images: views.join('\n')
    })
    expect(many.problems).toEqual(["'images' lists 33 views; at most 32 are taken."])
    const both = parse({
      job: 'image-to-3d',
      'api-key': 'key-0123456789',
      image: views[0],
      images: views[1],
      version: 'v3.0-standard'
    })
    expect(both.problems).toEqual([
      "Give 'image' (one view) or 'images' (several views) for job image-to-3d, not both.",
      expect.stringMatching(/^'images' \(several views\) needs version G1 or G1-Turbo/)
    ])
    expect(parse({ job: 'image-to-3d', 'api-key': 'key-0123456789' }).problems).toEqual([
      "'image' or 'images' is required for job image-to-3d."
    ])
  })

  it('refuses a short or spaced api-key without showing it', () => {
    const { problems } = parse({ job: 'text-to-3d', prompt: 'x', 'api-key': 'abc' })
    expect(problems).toEqual([expect.stringMatching(/^'api-key' is shorter than 6 characters/)])
    expect(problems.join()).not.toContain('abc')
  })
})

describe('jobs from files', () => {
  const reconstruction = (extra: Partial<Record<CreateInputName, string>> = {}): CreateConfig =>
    config({ job: 'reconstruction', files: 'photos/**', scene: 'space', ...extra })

  it('makes one job of every matched file with group-by none, named by the input', () => {
    const { jobs, problems } = planJobs(reconstruction({ name: 'Lobby' }).job, {
      matched: [...files('photos/b', 12), ...files('photos/a', 12)],
      fileOf,
      workspaceName: 'repo'
    })
    expect(problems).toEqual([])
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ name: 'Lobby', resourceType: 'image', provider: 'world' })
    // In path order, whatever order the file system gave.
    expect(jobs[0].inputs.map(item => (item.kind === 'file' ? item.file.relative : ''))[0]).toBe(
      'photos/a/img_000.jpg'
    )
  })

  it('makes one job per folder with group-by folder, each named after its folder', () => {
    const { jobs, problems } = planJobs(reconstruction({ 'group-by': 'folder' }).job, {
      matched: [...files('photos/lobby', 20), ...files('photos/hall', 1, 'mp4')],
      fileOf,
      workspaceName: 'repo'
    })
    expect(problems).toEqual([])
    expect(jobs.map(job => [job.name, job.resourceType, job.inputs.length])).toEqual([
      ['photos/hall', 'video', 1],
      ['photos/lobby', 'image', 20]
    ])
  })

  it('refuses 19 images, naming the folder and the count, and plans no job', () => {
    const { jobs, problems } = planJobs(reconstruction({ 'group-by': 'folder' }).job, {
      matched: [...files('photos/lobby', 19), ...files('photos/hall', 20)],
      fileOf,
      workspaceName: 'repo'
    })
    expect(jobs).toEqual([])
    expect(problems).toEqual([
      'Folder photos/lobby has 19 images; a job with images needs at least 20.'
    ])
  })

  it('refuses mixed kinds in one job, and files of a type no job takes', () => {
    const { problems } = planJobs(reconstruction().job, {
      matched: [
        ...files('photos', 20),
        ...files('photos', 2, 'MOV'),
        ...files('photos', 1, 'insv'),
        ...files('photos', 1, 'gif')
      ],
      fileOf,
      workspaceName: 'repo'
    })
    expect(problems).toEqual([
      expect.stringMatching(
        /^'files' matched 1 file of a type no job takes: photos\/img_000\.gif\./
      ),
      'The job mixes kinds (20 images, 2 videos, 1 Insta360 video); one job takes one kind. Put each kind in a folder of its own and use group-by: folder.'
    ])
  })

  it('refuses an empty file and a pattern that matched nothing', () => {
    const empty = planJobs(reconstruction().job, {
      matched: [...files('p', 19), ...files('q', 1, 'jpg', 0)],
      fileOf,
      workspaceName: 'repo'
    })
    expect(empty.problems).toEqual(["'files' matched 1 empty file (0 bytes): q/img_000.jpg."])
    const none = planJobs(reconstruction().job, { matched: [], fileOf, workspaceName: 'repo' })
    expect(none.problems).toEqual([
      expect.stringMatching(
        /^'files' matched no file in the workspace \(patterns: "photos\/\*\*"\)/
      )
    ])
  })

  it('types links by their extension, query aside', () => {
    expect(resourceTypeOf('https://cdn.example.com/a/b.JPEG?sig=1')).toBe('image')
    expect(resourceTypeOf('https://cdn.example.com/a/b.mov#t')).toBe('video')
    expect(resourceTypeOf('https://cdn.example.com/a/b')).toBeUndefined()
    const urls = Array.from({ length: 19 }, (_, i) => `https://cdn.example.com/${i}.jpg`)
    const { problems } = planJobs(
      config({
        job: 'reconstruction',
        urls: [...urls, 'https://cdn.example.com/x.bin'].join('\n'),
        scene: 'model'
      }).job,
      { fileOf, workspaceName: 'repo' }
    )
    expect(problems).toEqual([
      expect.stringMatching(
        /^'urls' has 1 link whose extension says no type a job takes: https:\/\/cdn\.example\.com\/x\.bin\./
      ),
      'The job has 19 images; a job with images needs at least 20.'
    ])
  })
})

describe('request bodies and tags', () => {
  it('builds the reconstruction body as the spec has it, the tag after the name', () => {
    const { jobs } = planJobs(
      config({
        job: 'reconstruction',
        files: '*',
        scene: 'model',
        quality: 'high',
        'use-mask': 'true',
        name: 'Chair',
        cover: 'https://cdn.example.com/c.webp'
      }).job,
      { matched: files('', 20, 'png'), fileOf, workspaceName: 'repo' }
    )
    const request = requestOf(jobs[0], link, '1a2b3c4d')
    expect(request.path).toBe('/reconstructions')
    expect(request.body).toEqual({
      name: 'Chair [aholo:1a2b3c4d]',
      cover: 'https://cdn.example.com/c.webp',
      resources: files('', 20, 'png').map(file => ({
        url: `https://cdn.example.com/${file.relative}`,
        type: 'image'
      })),
      taskQuality: 'high',
      scene: 'model',
      useMask: true
    })
    expect(tagInName(String(request.body.name))).toBe('1a2b3c4d')
    expect(tagInName('Chair [aholo:1a2b3c4d] copy')).toBeUndefined()
  })

  it('builds the generation and Lux3D bodies', () => {
    const generation = planJobs(
      config({ job: 'generation', prompt: 'a loft', image: 'https://x.example/r.jpg' }).job,
      { fileOf, workspaceName: 'repo' }
    ).jobs[0]
    expect(requestOf(generation, link, 'abcdef01')).toEqual({
      path: '/generations',
      body: {
        name: 'repo [aholo:abcdef01]',
        prompt: 'a loft',
        resources: [{ url: 'https://x.example/r.jpg', type: 'image' }]
      }
    })
    const views = planJobs(
      config({
        job: 'image-to-3d',
        images: 'https://x.example/1.png\nhttps://x.example/2.png',
        'output-format': 'glb'
      }).job,
      { fileOf, workspaceName: 'repo' }
    ).jobs[0]
    expect(requestOf(views, link)).toEqual({
      path: '/generate/img-to-3d/task/create',
      body: {
        imgs: ['https://x.example/1.png', 'https://x.example/2.png'],
        version: 'G1',
        outputFormat: ['glb']
      }
    })
    const text = planJobs(config({ job: 'text-to-3d', prompt: 'a lamp', style: 'anime' }).job, {
      fileOf,
      workspaceName: 'repo'
    }).jobs[0]
    expect(requestOf(text, link)).toEqual({
      path: '/generate/text-to-3d/task/create',
      body: { prompt: 'a lamp', style: 'anime', version: 'G1' }
    })
  })

  it('tags a job by its files\u2019 contents and options: the same inputs give the same tag', () => {
    const job = (quality: string) =>
      planJobs(config({ job: 'reconstruction', files: '*', scene: 'space', quality }).job, {
        matched: files('', 20),
        fileOf,
        workspaceName: 'repo'
      }).jobs[0]
    const md5 = (file: LocalFile): string => `md5-of-${file.relative}`
    const tag = jobTag(job('normal'), md5)
    expect(tag).toMatch(/^[0-9a-f]{8}$/)
    expect(jobTag(job('normal'), md5)).toBe(tag)
    expect(jobTag(job('high'), md5)).not.toBe(tag)
    expect(jobTag(job('normal'), file => `${md5(file)}-changed`)).not.toBe(tag)
    expect(taggedName('Lobby', tag)).toBe(`Lobby [aholo:${tag}]`)
  })
})
