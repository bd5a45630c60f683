/**
 * A simulated Aholo Lux3D API on 127.0.0.1 (DESIGN.md §2c): API keys of accounts, both regions'
 * prefixes, tasks with time-based status timelines and positional outputs per model version, the
 * paged list with its status filter, `taskId` written as a JSON number (exact beyond 2^53), links
 * signed to expire on the sim's clock (2 hours, as the vendor's), and injected faults. Used by the
 * tests and the demo; the vendor's own TypeScript client reads it too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { AssetShelf, type AssetSpec } from './assets.js'
import {
  envelopeError,
  LUX3D_ACCOUNT,
  LUX3D_PREFIXES,
  Lux3dCatalog,
  type Lux3dScript,
  type Lux3dStep
} from './lux3d-catalog.js'
import { answerWorldFault, apiError, type WorldFault } from './world-answers.js'
import type { SimRegion } from './world-catalog.js'

export {
  fileNames,
  LUX3D_PREFIXES,
  LUX3D_STATUSES,
  lux3dTimeline,
  NOT_REQUESTED,
  type Lux3dOutputs,
  type Lux3dScript,
  type Lux3dStep
} from './lux3d-catalog.js'

export const LUX3D_API_KEY = 'sim-lux3d-key-0123456789abcdef'
/** How long a signed link lasts: the vendor's 2 hours. */
export const LINK_TTL_MS = 2 * 60 * 60_000

/** A 3DGS file the sim serves for `gaussian.ply` unless told otherwise. */
const PLY_FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '__fixtures__',
  'splats',
  'ply',
  'input_1k_sh0.ply'
)

/** A GLB written by @gltf-transform/core (__fixtures__/models/README.md), for every `.glb`. */
const GLB_FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '__fixtures__',
  'models',
  'strip_128_triangles.glb'
)

export type Lux3dFault =
  | WorldFault
  /** HTTP 200 with `c` other than "0". */
  | { kind: 'envelope'; c: string; m: string }
  /** HTTP 200, `c: "0"`, and a `d` that is not a task. */
  | { kind: 'malformed' }

export interface Lux3dRequest {
  method: string
  path: string
  /** Undefined for what is not an API path (files, strays). */
  region: SimRegion | undefined
  /** `get` or `list` for API paths. */
  kind?: 'get' | 'list'
  taskId?: string
  query?: Record<string, string>
  authorization?: string
  userAgent?: string
  /** 'ok', 'not-found', 'unauthenticated', 'expired', a fault or an asset kind. */
  outcome: string
  /** On the sim's clock. */
  at: number
}

export interface Lux3dSimOptions {
  /** API key → account; default one key of the default account. */
  keys?: Record<string, string>
  /** The sim's clock for timelines and links (default Date.now); tests pass their fake clock. */
  now?: () => number
  /** A mirror's own path before the API's (e.g. `/mirror`). */
  pathPrefix?: string
  /** How long a link lasts from its signing (default 2 hours); 0 signs links already expired. */
  linkTtlMs?: number
}

export class Lux3dSim {
  readonly requests: Lux3dRequest[] = []
  /** Answer lists with 403, as a gateway may for a key scoped to single tasks. */
  refuseLists = false
  url = ''
  private readonly catalog: Lux3dCatalog
  private readonly faults: Lux3dFault[] = []
  private readonly taskFaults = new Map<string, Lux3dFault[]>()
  private readonly shelf = new AssetShelf<Lux3dFault>((res, fault, req) =>
    answerFault(res, fault, req)
  )
  private readonly sockets = new Set<Socket>()
  private readonly server: http.Server
  private readonly keys: Map<string, string>
  private readonly now: () => number
  private readonly secret = `sim-signing-${process.pid}`
  linkTtlMs: number

  constructor(private readonly options: Lux3dSimOptions = {}) {
    this.keys = new Map(Object.entries(options.keys ?? { [LUX3D_API_KEY]: LUX3D_ACCOUNT }))
    this.now = options.now ?? Date.now
    this.linkTtlMs = options.linkTtlMs ?? LINK_TTL_MS
    this.catalog = new Lux3dCatalog(this.now, (taskId, name) => this.signedUrl(taskId, name))
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => res.destroy(error as Error))
    })
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  async start(host = '127.0.0.1'): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, host, resolve))
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  /** Adds a task now; a bare array is its timeline. */
  addTask(taskId: string, script: Lux3dScript | Lux3dStep[]): this {
    this.catalog.add(taskId, Array.isArray(script) ? { timeline: script } : script)
    return this
  }

  /** `count` tasks of the account that nobody asks about, in `status` for good; their ids. */
  addOtherTasks(
    count: number,
    options: Omit<Lux3dScript, 'timeline'> & { status?: number } = {}
  ): string[] {
    return this.catalog.addOthers(count, options)
  }

  /** Faults answered to the next API requests, one each, in order. */
  injectFaults(...faults: Lux3dFault[]): this {
    this.faults.push(...faults)
    return this
  }

  /** Faults answered to the next GETs of one task, before the faults of any request. */
  injectTaskFaults(taskId: string, ...faults: Lux3dFault[]): this {
    this.taskFaults.set(taskId, [...(this.taskFaults.get(taskId) ?? []), ...faults])
    return this
  }

  /** What the task's file `name` serves (default: a PLY fixture for `.ply`, else 4 KiB). */
  addFile(taskId: string, name: string, spec: AssetSpec): this {
    this.shelf.add(this.filePath(taskId, name), spec)
    return this
  }

  /** Faults answered to the next downloads of the task's file `name`, once its link is good. */
  injectFileFaults(taskId: string, name: string, ...faults: Lux3dFault[]): this {
    this.shelf.injectFaults(this.filePath(taskId, name), faults)
    return this
  }

  filePath(taskId: string, name: string): string {
    return `/files/lux3d/${taskId}/${name}`
  }

  /** The task's status on the sim's clock now. */
  statusOf(taskId: string): number | undefined {
    return this.catalog.statusOf(taskId)
  }

  /** API requests only (not file downloads). */
  get apiRequests(): Lux3dRequest[] {
    return this.requests.filter(request => request.region !== undefined)
  }

  private signedUrl(taskId: string, name: string): string {
    const filePath = this.filePath(taskId, name)
    const expires = String(this.now() + this.linkTtlMs)
    const signature = this.signature(filePath, expires)
    return `${this.url}${filePath}?expires=${expires}&signature=${signature}`
  }

  private signature(filePath: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${filePath}\n${expires}`).digest('hex')
  }

  private record(
    req: http.IncomingMessage,
    fields: Omit<Lux3dRequest, 'method' | 'path' | 'at' | 'authorization' | 'userAgent'>
  ): void {
    this.requests.push({
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://sim').pathname,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
      ...fields,
      at: this.now()
    })
  }

  private route(pathname: string): { region: SimRegion; rest: string } | undefined {
    const prefix = (this.options.pathPrefix ?? '').replace(/\/+$/, '')
    if (!pathname.startsWith(`${prefix}/`)) return undefined
    const rest = pathname.slice(prefix.length)
    for (const region of ['global', 'cn'] as const) {
      const base = LUX3D_PREFIXES[region]
      if (rest.startsWith(`${base}/`)) return { region, rest: rest.slice(base.length) }
    }
    return undefined
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    const file = /^\/files\/lux3d\/(\d+)\/([^/]+)$/.exec(url.pathname)
    if (req.method === 'GET' && file) return this.serveFile(req, res, url, file[1], file[2])
    for await (const chunk of req) void chunk
    const route = this.route(url.pathname)
    const kind =
      route?.rest === '/generate/task/get'
        ? 'get'
        : route?.rest === '/generate/task/list'
          ? 'list'
          : undefined
    if (!route || !kind || req.method !== 'GET') {
      this.record(req, { region: undefined, outcome: 'not-found' })
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>404</body></html>')
      return
    }
    const { region } = route
    const query = Object.fromEntries(url.searchParams)
    const taskId = kind === 'get' ? (url.searchParams.get('taskid') ?? '') : undefined
    const answer = (outcome: string, status: number, body: unknown): void => {
      this.record(req, { region, kind, taskId, query, outcome })
      sendEnvelope(res, status, body)
    }
    const fault = (taskId && this.taskFaults.get(taskId)?.shift()) || this.faults.shift()
    if (fault) {
      this.record(req, { region, kind, taskId, query, outcome: fault.kind })
      return answerFault(res, fault, req)
    }
    const account = this.keys.get(req.headers.authorization ?? '')
    if (account === undefined) {
      return answer('unauthenticated', 401, apiError(401, 'Invalid API key', '10004'))
    }
    if (kind === 'list' && this.refuseLists) {
      return answer('forbidden', 403, apiError(403, 'Permission denied to list tasks'))
    }
    if (kind === 'list') {
      const [status, body] = this.catalog.list(account, region, url.searchParams)
      const ok = (body as { c: string }).c === '0'
      return answer(ok ? 'ok' : 'invalid', status, body)
    }
    if (!/^\d{1,19}$/.test(taskId ?? '')) {
      return answer('invalid', 200, envelopeError('400', 'taskid 须为整数'))
    }
    const [status, body] = this.catalog.get(taskId as string, account, region)
    const found = status === 200 && (body as { d: unknown }).d !== null
    answer(found ? 'ok' : 'not-found', status, body)
  }

  private serveFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    taskId: string,
    name: string
  ): void {
    const expires = url.searchParams.get('expires') ?? ''
    const given = Buffer.from(url.searchParams.get('signature') ?? '')
    const wanted = Buffer.from(this.signature(url.pathname, expires))
    const record = (outcome: string): void =>
      this.record(req, { region: undefined, taskId, outcome })
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      record('bad-signature')
      return denied(
        res,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match'
      )
    }
    if (this.now() >= Number(expires)) {
      record('expired')
      return denied(res, 'AccessDenied', 'Request has expired')
    }
    if (!this.shelf.has(url.pathname) && this.catalog.hasFile(taskId, name)) {
      const spec: AssetSpec = name.endsWith('.ply')
        ? { kind: 'file', path: PLY_FIXTURE }
        : name.endsWith('.glb')
          ? { kind: 'file', path: GLB_FIXTURE }
          : { kind: 'generated', bytes: 4096 }
      this.shelf.add(url.pathname, spec)
    }
    this.shelf.serve(req, res, url.pathname, record)
  }
}

/** Starts a simulated Lux3D API; close it when done. */
export async function startLux3dSim(options: Lux3dSimOptions = {}): Promise<Lux3dSim> {
  return new Lux3dSim(options).start()
}

/** An object storage's refusal, as COS and OSS word it. */
function denied(res: http.ServerResponse, code: string, message: string): void {
  res
    .writeHead(403, { 'Content-Type': 'application/xml' })
    .end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
    )
}

function answerFault(res: http.ServerResponse, fault: Lux3dFault, req: http.IncomingMessage): void {
  if (fault.kind === 'envelope') return sendEnvelope(res, 200, envelopeError(fault.c, fault.m))
  if (fault.kind === 'malformed') {
    return sendEnvelope(res, 200, { c: '0', m: '', d: { bizId: 'no task here' }, f: null })
  }
  answerWorldFault(res, fault, req)
}

/**
 * JSON with every `taskId` written as a bare number, as the service sends its int64s: the ids
 * are held as digit strings, which JSON.stringify would quote.
 */
function sendEnvelope(res: http.ServerResponse, status: number, body: unknown): void {
  const text =
    typeof body === 'string'
      ? body
      : JSON.stringify(body).replace(/(?<!\\)"taskId":"(\d+)"/g, '"taskId":$1')
  const bytes = Buffer.from(text, 'utf8')
  res
    .writeHead(status, {
      ...(bytes.length > 0 ? { 'Content-Type': 'application/json;charset=UTF-8' } : {}),
      'Content-Length': bytes.length
    })
    .end(bytes)
}
