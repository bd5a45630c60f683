/**
 * What the simulated Lux3D API's accounts hold (DESIGN.md §2c): tasks with time-based status
 * timelines, their positional outputs as each model version lays them out, and the answers to
 * "show me this task" and "list my tasks in this status". Ids are decimal strings (int64 on the
 * wire, written as JSON numbers by lux3d.ts). No HTTP.
 */
import type { SimRegion } from './world-catalog.js'

export const LUX3D_PREFIXES = { cn: '/lux3d/v1', global: '/global/lux3d/v1' } as const
export const LUX3D_ACCOUNT = 'main'
/** 0 init, 1 running, 3 success, 4 failed, 6 cancelled (since 1.6). */
export const LUX3D_STATUSES = [0, 1, 3, 4, 6]
/** What the list's `status` filter accepts. */
const LIST_STATUSES = [0, 1, 3, 4]
export const NOT_REQUESTED = 'NOT_REQUESTED'

/** From `at` ms after the task was added (on the sim's clock), it has this status. */
export interface Lux3dStep {
  at: number
  status: number
}

export type ClassicFormat = 'glb' | 'usdz' | 'obj' | 'fbx'
export type TurboFormat = ClassicFormat | 'stl' | '3mf' | 'ply'

/** What a task delivers on success, slot by slot, as its model version does. */
export type Lux3dOutputs =
  /** v3.0-standard (and v2.0-preview): five slots, `.zip` always, the others when requested. */
  | { model: 'v3'; requested?: readonly ClassicFormat[] }
  /** G1: the ZIP and the GLB, and the 3DGS `gaussian.ply` when asked. */
  | { model: 'G1'; ply?: boolean }
  /** G1-Turbo: the formats asked, in the order asked. */
  | { model: 'G1-Turbo'; formats: readonly TurboFormat[] }
  /** Image to four views: one slot holding a JSON-array string of four image URLs. */
  | { model: 'four-view' }
  /** Slots as given; `{files}` in a string stands for the task's signed file folder. */
  | { model: 'raw'; contents: ReadonlyArray<string | null> }

export interface Lux3dScript {
  timeline: Lux3dStep[]
  /** Default v3 with every format requested. */
  outputs?: Lux3dOutputs
  /** Whose task it is (default the default key's account); another account sees `d: null`. */
  account?: string
  /** Default cn: under the other region's prefix the task does not exist. */
  region?: SimRegion
  /** The first N GETs of it answer not-found, and lists leave it out until then. */
  absentFor?: number
  /** How not-found is said: HTTP 404 (default) or `c: "0"` with `d: null`. */
  absentAs?: '404' | 'null'
}

interface Entry {
  script: Lux3dScript
  addedAt: number
  created: number
  gets: number
  seq: number
}

export type Answer = [status: number, body: unknown]

/** 0 → 1 → `final`, one step per `stepMs`. */
export function lux3dTimeline(stepMs: number, final = 3): Lux3dStep[] {
  return [
    { at: 0, status: 0 },
    { at: stepMs, status: 1 },
    { at: 2 * stepMs, status: final }
  ]
}

/** The file name of each slot, by model version: what the URL's last segment says. */
export function fileNames(outputs: Lux3dOutputs): ReadonlyArray<string | null> {
  switch (outputs.model) {
    case 'v3': {
      const asked: readonly ClassicFormat[] = outputs.requested ?? ['glb', 'usdz', 'obj', 'fbx']
      const slot = (format: ClassicFormat, name: string): string =>
        asked.includes(format) ? name : NOT_REQUESTED
      return [
        'result.zip',
        slot('glb', 'result.glb'),
        slot('usdz', 'result.usdz'),
        slot('obj', 'result_obj.zip'),
        slot('fbx', 'result_fbx.zip')
      ]
    }
    case 'G1':
      return ['model.zip', 'model.glb', ...(outputs.ply ? ['gaussian.ply'] : [])]
    case 'G1-Turbo':
      return outputs.formats.map(format => TURBO_NAMES[format])
    case 'four-view':
      return ['front.png', 'left.png', 'back.jpg', 'right.webp']
    case 'raw':
      return outputs.contents
  }
}

const TURBO_NAMES: Record<TurboFormat, string> = {
  glb: 'model.glb',
  usdz: 'model.usdz',
  obj: 'model_obj.zip',
  fbx: 'model.fbx',
  stl: 'model.stl',
  '3mf': 'model.3mf',
  ply: 'gaussian.ply'
}

export class Lux3dCatalog {
  private readonly tasks = new Map<string, Entry>()
  private seq = 0

  constructor(
    private readonly now: () => number,
    /** The signed URL of a task's file, as of now. */
    private readonly sign: (taskId: string, name: string) => string
  ) {}

  add(taskId: string, script: Lux3dScript): void {
    const entry = { script, addedAt: this.now(), created: Date.now(), gets: 0, seq: this.seq++ }
    this.tasks.set(taskId, entry)
  }

  /** `count` tasks of the account that nobody asks about, in `status` for good; their ids. */
  addOthers(count: number, options: Omit<Lux3dScript, 'timeline'> & { status?: number }): string[] {
    const ids = Array.from({ length: count }, (_, i) => String(7_000_000_000 + this.seq * 1000 + i))
    const timeline = [{ at: 0, status: options.status ?? 1 }]
    ids.forEach(id => this.add(id, { ...options, timeline }))
    return ids
  }

  has(taskId: string): boolean {
    return this.tasks.has(taskId)
  }

  statusOf(taskId: string): number | undefined {
    const entry = this.tasks.get(taskId)
    return entry && this.stepOf(entry).status
  }

  /** Whether `name` is one of the task's files (a file of a task that never succeeds is too). */
  hasFile(taskId: string, name: string): boolean {
    const entry = this.tasks.get(taskId)
    return entry !== undefined && this.files(entry).includes(name)
  }

  /** `GET {prefix}/generate/task/get?taskid=` by `account` under `region`'s prefix. */
  get(taskId: string, account: string, region: SimRegion): Answer {
    const entry = this.tasks.get(taskId)
    if (entry) entry.gets++
    if (entry && !this.visible(entry, region, entry.gets - 1) && entry.script.absentAs !== 'null') {
      return [404, '']
    }
    if (!entry || !this.visible(entry, region, entry.gets - 1) || !this.owns(entry, account)) {
      return [200, { c: '0', m: '', d: null, f: null }]
    }
    const { status } = this.stepOf(entry)
    const outputs = status === 3 ? this.outputs(taskId, entry) : []
    return [200, { c: '0', m: '', d: { taskId, status, outputs, bizId: `biz-${taskId}` }, f: null }]
  }

  /** `GET {prefix}/generate/task/list`: the account's tasks under `region`, newest first. */
  list(account: string, region: SimRegion, query: URLSearchParams): Answer {
    const page = wholeNumber(query.get('page') ?? '1')
    const pageSize = wholeNumber(query.get('pagesize') ?? '20')
    const statusText = query.get('status')
    const status = statusText === null ? undefined : wholeNumber(statusText)
    if (page === undefined || page < 1) return [200, envelopeError('400', 'page 须为从 1 起的整数')]
    if (pageSize === undefined || pageSize < 1 || pageSize > 100) {
      return [200, envelopeError('400', 'pagesize 须为 1-100 的整数')]
    }
    if (statusText !== null && (status === undefined || !LIST_STATUSES.includes(status))) {
      return [200, envelopeError('400', `status 只能是 ${LIST_STATUSES.join(', ')}`)]
    }
    const matching = [...this.tasks]
      .filter(([, entry]) => {
        if (!this.owns(entry, account) || !this.visible(entry, region, entry.gets)) return false
        return status === undefined || this.stepOf(entry).status === status
      })
      .sort(([, a], [, b]) => b.seq - a.seq)
    const items = matching.slice((page - 1) * pageSize, page * pageSize).map(([taskId, entry]) => ({
      taskId,
      status: this.stepOf(entry).status,
      created: entry.created,
      lastModified: entry.created + Math.max(0, this.now() - entry.addedAt)
    }))
    return [200, { c: '0', m: '', d: { items, total: matching.length, page, pageSize }, f: null }]
  }

  private owns(entry: Entry, account: string): boolean {
    return (entry.script.account ?? LUX3D_ACCOUNT) === account
  }

  /** Under this region, after `gets` earlier GETs of it. */
  private visible(entry: Entry, region: SimRegion, gets: number): boolean {
    return (entry.script.region ?? 'cn') === region && gets >= (entry.script.absentFor ?? 0)
  }

  private stepOf(entry: Entry): Lux3dStep {
    const elapsed = this.now() - entry.addedAt
    const { timeline } = entry.script
    return timeline.filter(step => step.at <= elapsed).at(-1) ?? timeline[0]
  }

  private files(entry: Entry): string[] {
    const outputs = entry.script.outputs ?? { model: 'v3' }
    if (outputs.model === 'raw') return []
    return fileNames(outputs).filter(
      (name): name is string => name !== null && name !== NOT_REQUESTED
    )
  }

  /** Signed afresh at every GET: the links expire on the sim's clock. */
  private outputs(taskId: string, entry: Entry): Array<{ content: string | null }> {
    const outputs = entry.script.outputs ?? { model: 'v3' }
    const names = fileNames(outputs)
    if (outputs.model === 'four-view') {
      const urls = names.map(name => this.sign(taskId, name as string))
      return [{ content: JSON.stringify(urls) }]
    }
    if (outputs.model === 'raw') {
      const files = this.sign(taskId, '').replace(/\?.*$/, '').replace(/\/$/, '')
      return names.map(content => ({ content: content?.replaceAll('{files}', files) ?? null }))
    }
    return names.map(name => ({
      content: name === null || name === NOT_REQUESTED ? name : this.sign(taskId, name)
    }))
  }
}

export function envelopeError(c: string, m: string): Record<string, unknown> {
  return { c, m, d: null, f: null }
}

function wholeNumber(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined
}
