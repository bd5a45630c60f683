/**
 * The create action's inputs, read and checked (issue 15): which job, its options, and how to
 * reach the gateway. Pure: `read` gives the raw inputs. Problems are returned, not thrown, so
 * that the step can add what the files show (plan.ts) and report everything at once.
 */
import * as path from 'node:path'
import {
  CREATE_DEFAULTS,
  CREATE_SECRET_INPUTS,
  type CreateInputName
} from '../inputs/create-contract.js'
import { REGIONS, type Region } from '../inputs/credentials.js'
import {
  checkSecretLength,
  oneOf,
  parseApiUrl,
  parseBoolean,
  parseDurationInput,
  parseWholeNumber,
  type Problems,
  singleToken
} from '../inputs/fields.js'
import { isLoopbackHost } from '../net/url-policy.js'

export const JOB_KINDS = ['reconstruction', 'generation', 'image-to-3d', 'text-to-3d'] as const
export type JobKind = (typeof JOB_KINDS)[number]
export const SCENES = ['model', 'space'] as const
export const QUALITIES = ['low', 'normal', 'high'] as const
export const GROUP_BY = ['none', 'folder'] as const
export const STYLES = [
  'photorealistic',
  'cartoon',
  'anime',
  'hand_painted',
  'cyberpunk',
  'fantasy',
  'glass'
] as const
export const OUTPUT_FORMATS = ['zip', 'glb', 'ply'] as const
/** Versions that take `imgs` (several views). */
const MULTI_VIEW_VERSIONS = ['G1', 'G1-Turbo']
export const MAX_VIEWS = 32

/** An image or a file: a public link passed on as it is, or a local file uploaded first. */
export type Ref =
  | { kind: 'url'; url: string }
  /** `path` absolute; `given` as the workflow wrote it, for messages. */
  | { kind: 'file'; path: string; given: string }

/** The options every Lux3D creation takes; absent ones are left to the service. */
export interface ModelOptions {
  version: string
  faceCount?: number
  outputFormat?: string[]
  enablePbr?: boolean
  textureSize?: number
}

export type JobSpec =
  | {
      kind: 'reconstruction'
      /** Glob patterns, one per line, relative to the workspace; or public links. */
      source: { kind: 'files'; patterns: string[] } | { kind: 'urls'; urls: string[] }
      groupBy: (typeof GROUP_BY)[number]
      scene: (typeof SCENES)[number]
      quality: (typeof QUALITIES)[number]
      useMask: boolean
      name?: string
      cover?: Ref
    }
  | { kind: 'generation'; prompt?: string; image?: Ref; name?: string; cover?: Ref }
  | { kind: 'image-to-3d'; images: Ref[]; multiView: boolean; model: ModelOptions }
  | { kind: 'text-to-3d'; prompt: string; style: string; image?: Ref; model: ModelOptions }

export interface CreateConfig {
  job: JobSpec
  dryRun: boolean
  /** Empty on a dry run without a key. */
  apiKey: string
  region: Region
  apiUrl: URL | undefined
  timeoutMs: number
  workspace: string
  notices: string[]
}

/** The inputs each job takes; any other job input given is a mistake worth naming. */
const JOB_INPUTS: Record<JobKind, readonly CreateInputName[]> = {
  reconstruction: ['files', 'urls', 'group-by', 'scene', 'quality', 'use-mask', 'name', 'cover'],
  generation: ['prompt', 'image', 'name', 'cover'],
  'image-to-3d': ['image', 'images', ...modelInputs()],
  'text-to-3d': ['prompt', 'style', 'image', ...modelInputs()]
}
const ALL_JOB_INPUTS = [...new Set(Object.values(JOB_INPUTS).flat())]

function modelInputs(): CreateInputName[] {
  return ['version', 'face-count', 'output-format', 'enable-pbr', 'texture-size']
}

const SECRET_HINT =
  'If it comes from a secret, check that the secret exists and is passed to this workflow (secrets are not passed to workflows run from forks: use dry-run: true on pull requests).'

export function parseCreateInputs(
  read: (name: CreateInputName) => string,
  workspace: string
): { config?: CreateConfig; problems: Problems } {
  const problems: Problems = []
  const notices: string[] = []
  const raw = (name: CreateInputName): string => read(name).trim()
  const value = (name: CreateInputName): string =>
    raw(name) || (CREATE_DEFAULTS as Partial<Record<CreateInputName, string>>)[name] || ''

  const dryRun = parseBoolean('dry-run', value('dry-run'), problems)
  const apiKey = raw('api-key')
  if (apiKey === '' && !dryRun) {
    problems.push(`'api-key' is required (except with dry-run: true) and is empty. ${SECRET_HINT}`)
  }
  for (const name of CREATE_SECRET_INPUTS) {
    const problemsBefore = problems.length
    checkSecretLength(name, raw(name), problems)
    if (problems.length === problemsBefore) singleToken(name, raw(name), problems)
  }
  const region = oneOf('region', value('region'), REGIONS, problems)
  const apiUrl = raw('api-url')
    ? parseApiUrl(raw('api-url'), 'https://api.aholo3d.cn', problems)
    : undefined
  const timeoutMs = parseDurationInput('timeout', value('timeout'), problems)

  let job: JobSpec | undefined
  const kindText = raw('job')
  if (kindText === '') {
    problems.push(`'job' is required and is empty: give one of ${JOB_KINDS.join(', ')}.`)
  } else {
    const kind = oneOf('job', kindText, JOB_KINDS, problems)
    if (kind) {
      const stray = ALL_JOB_INPUTS.filter(
        name => !JOB_INPUTS[kind].includes(name) && givenBeyondDefault(name, raw)
      )
      if (stray.length > 0) {
        problems.push(
          `${stray.map(name => `'${name}'`).join(', ')} ${stray.length === 1 ? 'is' : 'are'} not an input of job ${kind}, which takes ${JOB_INPUTS[kind].map(name => `'${name}'`).join(', ')}.`
        )
      }
      job = parseJob(kind, value, workspace, problems, notices)
    }
  }

  if (problems.length > 0 || !job || !region || !timeoutMs) return { problems }
  return {
    config: { job, dryRun, apiKey, region, apiUrl, timeoutMs, workspace, notices },
    problems
  }
}

/** Set to something other than create/action.yml's default, which the runner always passes. */
function givenBeyondDefault(
  name: CreateInputName,
  raw: (name: CreateInputName) => string
): boolean {
  const given = raw(name)
  return given !== '' && given !== (CREATE_DEFAULTS as Partial<Record<string, string>>)[name]
}

function parseJob(
  kind: JobKind,
  value: (name: CreateInputName) => string,
  workspace: string,
  problems: Problems,
  notices: string[]
): JobSpec | undefined {
  const ref = (name: CreateInputName): Ref | undefined =>
    value(name) === '' ? undefined : parseRef(name, value(name), workspace, problems)
  const name = parseName(value('name'), problems)
  switch (kind) {
    case 'reconstruction': {
      const files = lines(value('files'))
      const urls = lines(value('urls'))
      if (files.length > 0 && urls.length > 0) {
        problems.push(`Give 'files' or 'urls' for job reconstruction, not both.`)
      } else if (files.length === 0 && urls.length === 0) {
        problems.push(
          `'files' or 'urls' is required for job reconstruction: glob patterns of the photos or videos in the workspace, one per line, or links that are public already.`
        )
      }
      const groupBy = oneOf('group-by', value('group-by'), GROUP_BY, problems)
      if (groupBy === 'folder' && urls.length > 0) {
        problems.push(`'group-by: folder' groups matched 'files'; it does not apply to 'urls'.`)
      }
      const sceneText = value('scene')
      if (sceneText === '') {
        problems.push(
          `'scene' is required for job reconstruction: model (an object) or space (a room).`
        )
      }
      const scene = sceneText ? oneOf('scene', sceneText, SCENES, problems) : undefined
      const quality = oneOf('quality', value('quality'), QUALITIES, problems)
      const useMask = parseBoolean('use-mask', value('use-mask'), problems)
      const urlRefs = urls.map(url => parseRef('urls', url, workspace, problems, true))
      const cover = ref('cover')
      if (!groupBy || !scene || !quality) return undefined
      return {
        kind,
        source:
          urls.length > 0
            ? {
                kind: 'urls',
                urls: urlRefs.flatMap(item => (item?.kind === 'url' ? [item.url] : []))
              }
            : { kind: 'files', patterns: files },
        groupBy,
        scene,
        quality,
        useMask,
        name,
        cover
      }
    }
    case 'generation': {
      const prompt = value('prompt') || undefined
      const image = ref('image')
      if (!prompt && value('image') === '') {
        problems.push(`Job generation needs a 'prompt', an 'image', or both; neither is set.`)
      }
      return { kind, prompt, image, name, cover: ref('cover') }
    }
    case 'image-to-3d': {
      const model = parseModel(value, problems, notices)
      const single = ref('image')
      const many = lines(value('images'))
      if (single && many.length > 0) {
        problems.push(
          `Give 'image' (one view) or 'images' (several views) for job image-to-3d, not both.`
        )
      } else if (!single && many.length === 0) {
        problems.push(`'image' or 'images' is required for job image-to-3d.`)
      }
      if (many.length > MAX_VIEWS) {
        problems.push(`'images' lists ${many.length} views; at most ${MAX_VIEWS} are taken.`)
      }
      if (many.length > 0 && !MULTI_VIEW_VERSIONS.includes(model.version)) {
        problems.push(
          `'images' (several views) needs version ${MULTI_VIEW_VERSIONS.join(' or ')}; 'version' is ${JSON.stringify(model.version)}. Give one 'image' instead.`
        )
      }
      const views = many.map(item => parseRef('images', item, workspace, problems))
      const images = single ? [single] : views.filter((item): item is Ref => item !== undefined)
      return { kind, images, multiView: many.length > 0, model }
    }
    case 'text-to-3d': {
      const model = parseModel(value, problems, notices)
      const prompt = value('prompt')
      if (prompt === '') problems.push(`'prompt' is required for job text-to-3d and is empty.`)
      const style = oneOf('style', value('style'), STYLES, problems)
      return style ? { kind, prompt, style, image: ref('image'), model } : undefined
    }
  }
}

function parseModel(
  value: (name: CreateInputName) => string,
  problems: Problems,
  notices: string[]
): ModelOptions {
  const version = value('version')
  if (version !== 'G1') {
    notices.push(
      `'version' is ${JSON.stringify(version)}; this action is made for G1 and passes other versions on as they are.`
    )
  }
  const model: ModelOptions = { version }
  const faceCount = parseWholeNumber(
    'face-count',
    value('face-count'),
    { min: 10_000, max: 300_000, rule: 'a whole number of faces from 10000 to 300000' },
    problems
  )
  if (faceCount !== undefined) model.faceCount = faceCount
  const formats = value('output-format')
  if (formats !== '') {
    const items = formats.split(/[\s,]+/).filter(Boolean)
    const wrong = items.filter(item => !(OUTPUT_FORMATS as readonly string[]).includes(item))
    if (wrong.length > 0) {
      problems.push(
        `'output-format' must be a list of ${OUTPUT_FORMATS.join(', ')}; got ${JSON.stringify(formats)}.`
      )
    }
    model.outputFormat = [...new Set(items)]
  }
  if (value('enable-pbr') !== '') {
    model.enablePbr = parseBoolean('enable-pbr', value('enable-pbr'), problems)
  }
  const textureSize = parseWholeNumber(
    'texture-size',
    value('texture-size'),
    {
      min: 1,
      max: 16_384,
      rule: 'a whole number of pixels from 1 to 16384 (the service uses 2048 when empty)'
    },
    problems
  )
  if (textureSize !== undefined) model.textureSize = textureSize
  return model
}

/** Non-empty lines, trimmed. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '')
}

function parseName(text: string, problems: Problems): string | undefined {
  if (text === '') return undefined
  if (/[\r\n]/.test(text) || text.length > 100) {
    problems.push(`'name' must be one line of at most 100 characters.`)
  }
  return text
}

/**
 * A link is passed on as it is: https, or http only on this machine (tests, mirrors); other
 * schemes (data:, ftp:) are refused. Anything else is a path in the workspace.
 */
export function parseRef(
  name: CreateInputName,
  text: string,
  workspace: string,
  problems: Problems,
  linkOnly = false
): Ref | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) {
    let url: URL | undefined
    try {
      url = new URL(text)
    } catch {
      url = undefined
    }
    if (
      url &&
      !url.username &&
      !url.password &&
      (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    ) {
      return { kind: 'url', url: url.href }
    }
    problems.push(
      `'${name}' takes https:// links (public already)${linkOnly ? '' : ' or paths in the workspace'}; got ${JSON.stringify(text.split(/[?#]/, 1)[0])}.`
    )
    return undefined
  }
  if (linkOnly) {
    problems.push(
      `'${name}' takes https:// links that are public already; got ${JSON.stringify(text)}. Use 'files' for files in the workspace.`
    )
    return undefined
  }
  if (text.includes('\0')) {
    problems.push(`'${name}' must be a path or a link; got a value with a NUL byte.`)
    return undefined
  }
  return { kind: 'file', path: path.resolve(workspace, text), given: text }
}
