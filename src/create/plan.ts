/**
 * Jobs from inputs (issue 15, DESIGN.md §2d): which files go into which job, the checks the
 * service would make (the extension decides the type; at least 20 images; one kind per job),
 * the request bodies, and the digest tag that lets a re-run find the world it already paid
 * for. Pure: files come in as values (path, size, MD5), bodies and problems go out.
 */
import { createHash } from 'node:crypto'
import * as path from 'node:path'
import type { JobKind, JobSpec, ModelOptions, Ref } from './inputs.js'

export type ResourceType = 'image' | 'video' | 'insv'
export type ProviderName = 'world' | 'lux3d'

const EXTENSIONS: Record<ResourceType, readonly string[]> = {
  image: ['.jpg', '.jpeg', '.png', '.webp'],
  video: ['.mp4', '.mov'],
  insv: ['.insv']
}
const TYPE_WORDS: Record<ResourceType, [string, string]> = {
  image: ['image', 'images'],
  video: ['video', 'videos'],
  insv: ['Insta360 video', 'Insta360 videos']
}
export const MIN_IMAGES = 20

/** A file of the workspace, as the file system described it. */
export interface LocalFile {
  /** Absolute. */
  path: string
  /** To the workspace, with `/`: how the file is named in logs, the summary and outputs. */
  relative: string
  bytes: number
}

/** What a job is given: a file uploaded first, or a link passed on as it is. */
export type JobInput = { kind: 'file'; file: LocalFile } | { kind: 'url'; url: string }

export interface PlannedJob {
  kind: JobKind
  provider: ProviderName
  /** World: the world's name before its tag. Lux3D tasks have no name. */
  name?: string
  /** Reconstruction: the photos or videos, in order; the other jobs: their image(s), if any. */
  inputs: JobInput[]
  /** Reconstruction only: the type every input has (one kind per job). */
  resourceType?: ResourceType
  cover?: JobInput
  /** The body's other fields, as the service takes them. */
  params: Record<string, unknown>
}

export interface Request {
  /** After the API's prefix. */
  path: string
  body: Record<string, unknown>
}

export function providerOf(kind: JobKind): ProviderName {
  return kind === 'reconstruction' || kind === 'generation' ? 'world' : 'lux3d'
}

/** The type a file or link's extension says, or undefined for one no job takes. */
export function resourceTypeOf(name: string): ResourceType | undefined {
  const extension = path.posix.extname(name.split(/[?#]/, 1)[0]).toLowerCase()
  return (Object.keys(EXTENSIONS) as ResourceType[]).find(type =>
    EXTENSIONS[type].includes(extension)
  )
}

export interface PlanContext {
  /** The files `files` matched, for a reconstruction from files. */
  matched?: readonly LocalFile[]
  /** The file behind a local `image`, `images` or `cover` (undefined: the adapter said why). */
  fileOf(ref: Extract<Ref, { kind: 'file' }>): LocalFile | undefined
  /** The workspace's folder name, for a job of files at its top. */
  workspaceName: string
}

/** The jobs of `spec`, or every reason they cannot be made, before any upload or request. */
export function planJobs(
  spec: JobSpec,
  context: PlanContext
): { jobs: PlannedJob[]; problems: string[] } {
  const problems: string[] = []
  const input = (ref: Ref | undefined, what: string, imageOnly: boolean): JobInput | undefined => {
    if (!ref) return undefined
    if (ref.kind === 'url') {
      if (imageOnly && resourceTypeOf(ref.url) !== 'image') problems.push(notImage(what, ref.url))
      return { kind: 'url', url: ref.url }
    }
    const file = context.fileOf(ref)
    if (!file) return undefined
    if (resourceTypeOf(file.relative) !== 'image') problems.push(notImage(what, file.relative))
    return { kind: 'file', file }
  }

  switch (spec.kind) {
    case 'reconstruction': {
      const cover = input(spec.cover, "'cover'", true)
      const params = { taskQuality: spec.quality, scene: spec.scene, useMask: spec.useMask }
      const groups =
        spec.source.kind === 'urls'
          ? [
              {
                folder: '',
                inputs: spec.source.urls.map(url => ({ kind: 'url', url }) as JobInput)
              }
            ]
          : groupFiles(spec.source.patterns, context, spec.groupBy, problems)
      const jobs = groups.flatMap(group => {
        const resourceType = checkKinds(group.folder, group.inputs, problems)
        const name =
          spec.groupBy === 'folder'
            ? [spec.name, group.folder || context.workspaceName].filter(Boolean).join(' ')
            : (spec.name ?? (group.folder || context.workspaceName))
        return resourceType
          ? [
              {
                kind: spec.kind,
                provider: 'world',
                name,
                inputs: group.inputs,
                resourceType,
                cover,
                params
              } as PlannedJob
            ]
          : []
      })
      return { jobs: problems.length > 0 ? [] : jobs, problems }
    }
    case 'generation': {
      const image = input(spec.image, "'image'", true)
      const job: PlannedJob = {
        kind: spec.kind,
        provider: 'world',
        name: spec.name ?? context.workspaceName,
        inputs: image ? [image] : [],
        cover: input(spec.cover, "'cover'", true),
        params: spec.prompt ? { prompt: spec.prompt } : {}
      }
      return { jobs: problems.length > 0 ? [] : [job], problems }
    }
    case 'image-to-3d': {
      const inputs = spec.images.flatMap(
        ref => input(ref, spec.multiView ? "'images'" : "'image'", ref.kind === 'file') ?? []
      )
      const job: PlannedJob = {
        kind: spec.kind,
        provider: 'lux3d',
        inputs,
        params: { multiView: spec.multiView, ...modelParams(spec.model) }
      }
      return { jobs: problems.length > 0 ? [] : [job], problems }
    }
    case 'text-to-3d': {
      const image = spec.image
        ? input(spec.image, "'image'", spec.image.kind === 'file')
        : undefined
      const job: PlannedJob = {
        kind: spec.kind,
        provider: 'lux3d',
        inputs: image ? [image] : [],
        params: { prompt: spec.prompt, style: spec.style, ...modelParams(spec.model) }
      }
      return { jobs: problems.length > 0 ? [] : [job], problems }
    }
  }
}

function modelParams(model: ModelOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(model).filter(([, value]) => value !== undefined))
}

function notImage(what: string, name: string): string {
  return `${what} must be an image (${EXTENSIONS.image.join(', ')}); got ${JSON.stringify(name.split(/[?#]/, 1)[0])}.`
}

/** The matched files, checked one by one, in one group or one group per folder. */
function groupFiles(
  patterns: readonly string[],
  context: PlanContext,
  groupBy: 'none' | 'folder',
  problems: string[]
): Array<{ folder: string; inputs: JobInput[] }> {
  const matched = [...(context.matched ?? [])].sort((a, b) => compare(a.relative, b.relative))
  if (matched.length === 0) {
    problems.push(
      `'files' matched no file in the workspace (patterns: ${patterns.map(p => JSON.stringify(p)).join(', ')}). Check the paths, and that the files are checked out.`
    )
    return []
  }
  const untyped = matched.filter(file => !resourceTypeOf(file.relative))
  if (untyped.length > 0) {
    problems.push(
      `'files' matched ${count(untyped.length, 'file')} of a type no job takes: ${listed(untyped.map(f => f.relative))}. The extension decides the type: images ${EXTENSIONS.image.join(', ')}; video ${EXTENSIONS.video.join(', ')}; Insta360 ${EXTENSIONS.insv.join(', ')}.`
    )
  }
  const empty = matched.filter(file => file.bytes === 0)
  if (empty.length > 0) {
    problems.push(
      `'files' matched ${count(empty.length, 'empty file')} (0 bytes): ${listed(empty.map(f => f.relative))}.`
    )
  }
  const folders = new Map<string, JobInput[]>()
  for (const file of matched) {
    const folder = groupBy === 'folder' ? path.posix.dirname(file.relative).replace(/^\.$/, '') : ''
    folders.set(folder, [...(folders.get(folder) ?? []), { kind: 'file', file }])
  }
  return [...folders].map(([folder, inputs]) => ({ folder, inputs }))
}

/** The one type of a group's inputs, or undefined after saying what is wrong with them. */
function checkKinds(
  folder: string,
  inputs: readonly JobInput[],
  problems: string[]
): ResourceType | undefined {
  const where = folder ? `Folder ${folder}` : 'The job'
  const counts = new Map<ResourceType, number>()
  const unknownLinks: string[] = []
  for (const item of inputs) {
    const type = resourceTypeOf(item.kind === 'file' ? item.file.relative : item.url)
    if (type) counts.set(type, (counts.get(type) ?? 0) + 1)
    else if (item.kind === 'url') unknownLinks.push(item.url)
  }
  if (unknownLinks.length > 0) {
    problems.push(
      `'urls' has ${count(unknownLinks.length, 'link')} whose extension says no type a job takes: ${listed(unknownLinks.map(u => u.split(/[?#]/, 1)[0]))}. Images ${EXTENSIONS.image.join(', ')}; video ${EXTENSIONS.video.join(', ')}; Insta360 ${EXTENSIONS.insv.join(', ')}.`
    )
  }
  const said = (Object.keys(EXTENSIONS) as ResourceType[])
    .flatMap(type => (counts.has(type) ? [[type, counts.get(type) ?? 0] as const] : []))
    .map(([type, n]) => `${n} ${TYPE_WORDS[type][n === 1 ? 0 : 1]}`)
    .join(', ')
  if (counts.size > 1) {
    problems.push(
      `${where} mixes kinds (${said}); one job takes one kind. Put each kind in a folder of its own and use group-by: folder.`
    )
    return undefined
  }
  const images = counts.get('image') ?? 0
  if (images > 0 && images < MIN_IMAGES) {
    problems.push(`${where} has ${said}; a job with images needs at least ${MIN_IMAGES}.`)
    return undefined
  }
  return [...counts.keys()][0]
}

/**
 * The job's request, given the public link of each input (`link`) and, on World, the tag that
 * goes into the name. A dry run passes a `link` that shows the file to be uploaded.
 */
export function requestOf(
  job: PlannedJob,
  link: (input: JobInput) => string,
  tag?: string
): Request {
  const named = (body: Record<string, unknown>): Record<string, unknown> => ({
    ...(job.name !== undefined ? { name: tag ? taggedName(job.name, tag) : job.name } : {}),
    ...(job.cover ? { cover: link(job.cover) } : {}),
    ...body
  })
  switch (job.kind) {
    case 'reconstruction':
      return {
        path: '/reconstructions',
        body: named({
          resources: job.inputs.map(item => ({ url: link(item), type: job.resourceType })),
          ...job.params
        })
      }
    case 'generation':
      return {
        path: '/generations',
        body: named({
          ...job.params,
          ...(job.inputs.length > 0
            ? { resources: job.inputs.map(item => ({ url: link(item), type: 'image' })) }
            : {})
        })
      }
    case 'image-to-3d': {
      const { multiView, ...model } = job.params
      const links = job.inputs.map(link)
      return {
        path: '/generate/img-to-3d/task/create',
        body: { ...(multiView ? { imgs: links } : { img: links[0] }), ...model }
      }
    }
    case 'text-to-3d':
      return {
        path: '/generate/text-to-3d/task/create',
        body: { ...job.params, ...(job.inputs.length > 0 ? { img: link(job.inputs[0]) } : {}) }
      }
  }
}

/**
 * Eight hex digits of what the job is: its kind, name, parameters, and each input by content
 * (a file's MD5, a link as it is). The same files and options give the same tag on every run.
 */
export function jobTag(job: PlannedJob, md5Of: (file: LocalFile) => string): string {
  const ident = (item: JobInput | undefined): string | undefined =>
    item === undefined ? undefined : item.kind === 'file' ? `md5:${md5Of(item.file)}` : item.url
  const canonical = JSON.stringify([
    job.kind,
    job.name ?? null,
    Object.entries(job.params).sort(([a], [b]) => compare(a, b)),
    job.resourceType ?? null,
    job.inputs.map(ident),
    ident(job.cover) ?? null
  ])
  return createHash('md5').update(canonical).digest('hex').slice(0, 8)
}

export function taggedName(name: string, tag: string): string {
  return `${name} [aholo:${tag}]`
}

/** The tag in a world's name, if it has one. */
export function tagInName(name: string | undefined): string | undefined {
  return /\[aholo:([0-9a-f]{8})\]\s*$/.exec(name ?? '')?.[1]
}

/** Every local file the jobs need (inputs and covers), each once. */
export function filesOf(jobs: readonly PlannedJob[]): LocalFile[] {
  const files = new Map<string, LocalFile>()
  for (const job of jobs) {
    for (const item of [...job.inputs, job.cover]) {
      if (item?.kind === 'file') files.set(item.file.path, item.file)
    }
  }
  return [...files.values()]
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ')
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown
}
