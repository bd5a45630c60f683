/**
 * A simulated Lux3D gateway for creating tasks (DESIGN.md §2c, §2d), on 127.0.0.1: the
 * image-to-3D and text-to-3D create endpoints, checked as the spec states them, the account's
 * concurrency quota (GENERATION_CONCURRENCY_LIMIT_EXCEEDED, told in `c`, in `m` or by HTTP
 * 429), and the task list the quota is waited on with. Task ids are int64 beyond 2^53, written
 * as bare JSON numbers. Polling a task is sim/lux3d.ts's part.
 */
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { readBody } from './http-body.js'
import { DEFAULT_API_KEY } from './world.js'

export const LUX3D_PREFIXES = { cn: '/lux3d/v1', global: '/global/lux3d/v1' } as const
export const CONCURRENCY_CODE = 'GENERATION_CONCURRENCY_LIMIT_EXCEEDED'
/** Ids start past 2^53, where a JSON number read as a double loses digits. */
const FIRST_ID = 2n ** 53n + 1n
const STYLES = [
  'photorealistic',
  'cartoon',
  'anime',
  'hand_painted',
  'cyberpunk',
  'fantasy',
  'glass'
]
const FORMATS = ['zip', 'glb', 'usdz', 'obj_zip', 'fbx_zip', 'ply']

export interface Lux3dTask {
  taskId: string
  kind: 'img-to-3d' | 'text-to-3d' | 'existing'
  body?: Record<string, unknown>
  xSource?: string
  /** On the sim's clock. */
  createdAt: number
  /** In progress (status 1) for this long, then status 3. */
  runMs: number
}

export type Lux3dCreateFault =
  /** Makes the task, then drops the connection. */
  { kind: 'lose-answer' } | { kind: 'status'; status: number }

export interface Lux3dCreateSimOptions {
  now?: () => number
  /** Tasks in progress an account may have (Free 1, Pro 2). */
  quota?: number
  /** How the quota is told: in `c`, in `m` (with another `c`), or as HTTP 429. */
  quotaStyle?: 'c' | 'm' | '429'
  /** How long a created task runs. */
  runMs?: number
}

export class Lux3dCreateSim {
  url = ''
  readonly tasks: Lux3dTask[] = []
  readonly requests: Array<{ method: string; path: string; outcome: string; at: number }> = []
  private readonly faults: Lux3dCreateFault[] = []
  private readonly sockets = new Set<Socket>()
  private readonly server: http.Server
  private readonly now: () => number
  private nextId = FIRST_ID

  constructor(private readonly options: Lux3dCreateSimOptions = {}) {
    this.now = options.now ?? Date.now
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => res.destroy(error as Error))
    })
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  async start(): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  /** A task of the account already in progress, finishing after `runMs`; its id. */
  addRunningTask(runMs: number): string {
    const taskId = String(this.nextId++)
    this.tasks.push({ taskId, kind: 'existing', createdAt: this.now(), runMs })
    return taskId
  }

  injectFaults(...faults: Lux3dCreateFault[]): this {
    this.faults.push(...faults)
    return this
  }

  get created(): Lux3dTask[] {
    return this.tasks.filter(task => task.kind !== 'existing')
  }

  statusOf(task: Lux3dTask): number {
    return this.now() - task.createdAt < task.runMs ? 1 : 3
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    const raw = await readBody(req)
    const prefix = Object.values(LUX3D_PREFIXES).find(p => url.pathname.startsWith(`${p}/`))
    const rest = prefix ? url.pathname.slice(prefix.length) : ''
    const record = (outcome: string): void =>
      void this.requests.push({ method: req.method ?? '', path: rest, outcome, at: this.now() })
    const send = (status: number, text: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' }).end(text)
    }
    const envelope = (c: string, m: string, d: unknown = null): string =>
      JSON.stringify({ c, m, d, f: null })

    if (req.headers.authorization !== DEFAULT_API_KEY) {
      record('unauthenticated')
      return send(401, envelope('401', 'Invalid API key'))
    }
    if (req.method === 'GET' && rest === '/generate/task/list') {
      record('list')
      const page = Number(url.searchParams.get('page') ?? '1')
      const size = Number(url.searchParams.get('pagesize') ?? '20')
      const newest = [...this.tasks].reverse()
      const items = newest.slice((page - 1) * size, page * size).map(task => ({
        taskId: `#big:${task.taskId}`,
        status: this.statusOf(task),
        created: task.createdAt,
        lastModified: task.createdAt
      }))
      const d = { items, total: this.tasks.length, page, pageSize: size }
      return send(200, bare(envelope('0', '', d)))
    }
    const kind =
      rest === '/generate/img-to-3d/task/create'
        ? 'img-to-3d'
        : rest === '/generate/text-to-3d/task/create'
          ? 'text-to-3d'
          : undefined
    if (req.method !== 'POST' || !kind) {
      record('not-found')
      return send(404, envelope('404', 'No such path'))
    }
    const fault = this.faults.shift()
    if (fault?.kind === 'status') {
      record(`status ${fault.status}`)
      return send(fault.status, envelope(String(fault.status), 'fault'))
    }
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      record('invalid')
      return send(200, envelope('400', 'the body is not JSON'))
    }
    const problems = kind === 'img-to-3d' ? imgProblems(body) : textProblems(body)
    if (problems.length > 0) {
      record('invalid')
      return send(200, envelope('400', problems.join('; ')))
    }
    const running = this.tasks.filter(task => this.statusOf(task) === 1).length
    if (running >= (this.options.quota ?? 1)) {
      record('quota')
      const style = this.options.quotaStyle ?? 'c'
      if (style === '429') return send(429, envelope('429', CONCURRENCY_CODE))
      if (style === 'm') return send(200, envelope('-1', `${CONCURRENCY_CODE}: too many tasks`))
      return send(200, envelope(CONCURRENCY_CODE, 'too many tasks in progress'))
    }
    const taskId = String(this.nextId++)
    const xSource = req.headers['x-source']
    this.tasks.push({
      taskId,
      kind,
      body: body as Record<string, unknown>,
      xSource: Array.isArray(xSource) ? xSource[0] : xSource,
      createdAt: this.now(),
      runMs: this.options.runMs ?? 60_000
    })
    if (fault?.kind === 'lose-answer') {
      record('lose-answer')
      req.socket.resetAndDestroy()
      return
    }
    record('created')
    send(200, bare(envelope('0', '', `#big:${taskId}`)))
  }
}

/** Writes `"#big:123"` as the bare number 123, as a Java service writes a long. */
function bare(text: string): string {
  return text.replace(/"#big:(\d+)"/g, '$1')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function modelProblems(body: Record<string, unknown>, problems: string[]): void {
  const { faceCount, outputFormat, enablePbr, textureSize, version } = body
  if (version !== undefined && typeof version !== 'string')
    problems.push('version must be a string')
  if (
    faceCount !== undefined &&
    (!Number.isInteger(faceCount) ||
      (faceCount as number) < 10_000 ||
      (faceCount as number) > 500_000)
  ) {
    problems.push('faceCount must be an integer in [10000, 500000]')
  }
  if (
    outputFormat !== undefined &&
    (!Array.isArray(outputFormat) || outputFormat.some(item => !FORMATS.includes(item as string)))
  ) {
    problems.push(`outputFormat may hold only ${FORMATS.join(', ')}`)
  }
  if (enablePbr !== undefined && typeof enablePbr !== 'boolean')
    problems.push('enablePbr must be a boolean')
  if (textureSize !== undefined && !Number.isInteger(textureSize))
    problems.push('textureSize must be an integer')
}

function imgProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the body must be an ImgTo3dRequest object']
  const problems: string[] = []
  if (body.img !== undefined && body.imgs !== undefined)
    problems.push('img and imgs cannot both be given')
  if (body.img === undefined && body.imgs === undefined) problems.push('img or imgs is required')
  if (body.img !== undefined && (typeof body.img !== 'string' || body.img === '')) {
    problems.push('img must be a URL')
  }
  if (body.imgs !== undefined) {
    const imgs = body.imgs
    if (
      !Array.isArray(imgs) ||
      imgs.length < 1 ||
      imgs.length > 32 ||
      imgs.some(i => typeof i !== 'string')
    ) {
      problems.push('imgs must hold 1-32 URLs')
    }
    if (body.version !== 'G1' && body.version !== 'G1-Turbo') problems.push('imgs needs version G1')
  }
  modelProblems(body, problems)
  return problems
}

function textProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the body must be a TextTo3dRequest object']
  const problems: string[] = []
  if (typeof body.prompt !== 'string' || body.prompt === '') problems.push('prompt is required')
  if (body.style !== undefined && !STYLES.includes(body.style as string)) {
    problems.push(`style must be one of ${STYLES.join(', ')}`)
  }
  if (body.img !== undefined && typeof body.img !== 'string') problems.push('img must be a URL')
  modelProblems(body, problems)
  return problems
}

export async function startLux3dCreateSim(
  options: Lux3dCreateSimOptions = {}
): Promise<Lux3dCreateSim> {
  return new Lux3dCreateSim(options).start()
}
