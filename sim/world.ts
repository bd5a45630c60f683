/**
 * A simulated Aholo World gateway on 127.0.0.1 (DESIGN.md §2b): API keys of accounts, worlds
 * with time-based status timelines and progress, the paged list with its status filter, the
 * account's other worlds, ApiError bodies (401/403/404/400/429), injected faults, both regions'
 * path prefixes, and the same asset files as the open-platform sim. Used by the tests, the demo
 * and the benchmarks.
 */
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { assetPathOf, AssetShelf, type AssetSpec } from './assets.js'
import { readBody, sendJson } from './http-body.js'
import { answerWorldFault, apiError, type WorldFault } from './world-answers.js'
import { generationProblems, reconstructionProblems } from './world-create.js'
import {
  DEFAULT_ACCOUNT,
  risingTimeline,
  type ListQuery,
  type SimRegion,
  WORLD_PREFIXES,
  WorldCatalog,
  type WorldScript,
  type WorldStep
} from './world-catalog.js'

export { type WorldFault } from './world-answers.js'
export {
  DEFAULT_ACCOUNT,
  risingTimeline,
  type SimRegion,
  WORLD_PREFIXES,
  WORLD_STATUSES,
  type WorldScript,
  type WorldStep
} from './world-catalog.js'

export const DEFAULT_API_KEY = 'sim-world-key-0123456789abcdef'

export interface WorldRequest {
  method: string
  path: string
  /** Undefined for what is not an API path (assets, strays). */
  region: SimRegion | undefined
  worldId?: string
  list?: ListQuery
  authorization?: string
  userAgent?: string
  /** 'ok', 'not-found', 'forbidden', 'unauthenticated', 'invalid', a fault or an asset kind. */
  outcome: string
  /** On the sim's clock. */
  at: number
}

export interface WorldSimOptions {
  /** API key → account; default one key of the default account. */
  keys?: Record<string, string>
  /** The sim's clock for timelines (default Date.now); tests pass their fake clock. */
  now?: () => number
  /** A mirror's own path before the API's (e.g. `/mirror`). */
  pathPrefix?: string
  /**
   * The upload service's gateway (sim/uploads.ts) that the asset token paths are passed on to,
   * as the one real gateway serves World and the upload tokens alike.
   */
  assetGateway?: string
  /** Put the presented key in 401 messages, as some gateways do, to test that it is scrubbed. */
  echoKeyInErrors?: boolean
  /** Creations each account may still pay for (default: no limit); then 400 bizCode 11003. */
  credits?: Record<string, number>
  /** The timeline of a created world (default: rising to SUCCEEDED, a step per 10 s). */
  createdTimeline?: WorldStep[]
}

/** A creation the sim accepted. */
export interface CreatedWorld {
  path: '/reconstructions' | '/generations'
  worldId: string
  body: Record<string, unknown>
  xSource?: string
  account: string
}

/** What the sim does with the next creations instead of answering them. */
export type CreateFault =
  /** Makes the world, then drops the connection: the client cannot know that it was made. */
  | { kind: 'lose-answer' }
  /** Answered instead of making the world. */
  | WorldFault

export class WorldSim {
  readonly requests: WorldRequest[] = []
  /** Every world made by a POST, in order. */
  readonly created: CreatedWorld[] = []
  private readonly createFaults: CreateFault[] = []
  private readonly credits: Map<string, number>
  /** Answer lists with every world of the account, whatever `statusList` asks. */
  listIgnoresFilter = false
  url = ''
  private readonly catalog: WorldCatalog
  private readonly faults: WorldFault[] = []
  private readonly worldFaults = new Map<string, WorldFault[]>()
  private readonly listFaults: WorldFault[] = []
  private readonly shelf = new AssetShelf<WorldFault>(answerWorldFault)
  private readonly sockets = new Set<Socket>()
  private readonly server: http.Server
  private readonly keys: Map<string, string>
  private readonly now: () => number

  constructor(private readonly options: WorldSimOptions = {}) {
    this.keys = new Map(Object.entries(options.keys ?? { [DEFAULT_API_KEY]: DEFAULT_ACCOUNT }))
    this.credits = new Map(Object.entries(options.credits ?? {}))
    this.now = options.now ?? Date.now
    this.catalog = new WorldCatalog(this.now, () => this.url)
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

  /** Adds a world now; a bare array is its timeline. */
  addWorld(worldId: string, script: WorldScript | WorldStep[]): this {
    this.catalog.add(worldId, Array.isArray(script) ? { timeline: script } : script)
    return this
  }

  /** `count` worlds of the account that nobody asks about, in `status` for good; their ids. */
  addOtherWorlds(
    count: number,
    options: Omit<WorldScript, 'timeline'> & { status?: string } = {}
  ): string[] {
    return this.catalog.addOthers(count, options)
  }

  /** Faults answered to the next API requests, one each, in order. */
  injectFaults(...faults: WorldFault[]): this {
    this.faults.push(...faults)
    return this
  }

  /** What happens to the next creations (after any fault of `injectFaults`), one each. */
  injectCreateFaults(...faults: CreateFault[]): this {
    this.createFaults.push(...faults)
    return this
  }

  /** Faults answered to the next GETs of one world, before the faults of any request. */
  injectWorldFaults(worldId: string, ...faults: WorldFault[]): this {
    this.worldFaults.set(worldId, [...(this.worldFaults.get(worldId) ?? []), ...faults])
    return this
  }

  /** Faults answered to the next list requests, before the faults of any request. */
  injectListFaults(...faults: WorldFault[]): this {
    this.listFaults.push(...faults)
    return this
  }

  addAsset(path: string, spec: AssetSpec): this {
    this.shelf.add(path, spec)
    return this
  }

  injectAssetFaults(path: string, ...faults: WorldFault[]): this {
    this.shelf.injectFaults(path, faults)
    return this
  }

  assetPath(worldId: string, format: 'ply' | 'spz' | 'sog'): string {
    return assetPathOf(worldId, format)
  }

  assetUrl(worldId: string, format: 'ply' | 'spz' | 'sog'): string {
    return `${this.url}${this.assetPath(worldId, format)}`
  }

  /** API requests only (not asset downloads). */
  get apiRequests(): WorldRequest[] {
    return this.requests.filter(request => request.region !== undefined)
  }

  /** The world's status on the sim's clock now. */
  statusOf(worldId: string): string | undefined {
    return this.catalog.statusOf(worldId)
  }

  private record(
    req: http.IncomingMessage,
    fields: Omit<WorldRequest, 'method' | 'path' | 'at'>
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

  /** `POST /reconstructions` and `/generations`: checked as the spec says, paid, made. */
  private create(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: CreatedWorld['path'],
    raw: string,
    account: string,
    region: SimRegion
  ): void {
    const answer = (outcome: string, status: number, body: unknown): void => {
      this.record(req, { region, outcome })
      sendJson(res, status, body)
    }
    const fault = this.createFaults.shift()
    if (fault && fault.kind !== 'lose-answer') {
      this.record(req, { region, outcome: fault.kind })
      return answerWorldFault(res, fault, req)
    }
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      return answer('invalid', 400, apiError(400, 'the body is not JSON'))
    }
    const problems =
      path === '/reconstructions' ? reconstructionProblems(body) : generationProblems(body)
    if (problems.length > 0) return answer('invalid', 400, apiError(400, problems.join('; ')))
    const left = this.credits.get(account)
    if (left !== undefined && left <= 0) {
      return answer('no-credits', 400, apiError(400, 'Insufficient credits', '11003'))
    }
    if (left !== undefined) this.credits.set(account, left - 1)
    const worldId = `W${Date.now().toString(36).toUpperCase()}${this.created.length}`
    const fields = body as Record<string, unknown>
    this.catalog.add(worldId, {
      timeline: this.options.createdTimeline ?? risingTimeline(10_000),
      account,
      region,
      name: typeof fields.name === 'string' ? fields.name : undefined
    })
    const xSource = req.headers['x-source']
    this.created.push({
      path,
      worldId,
      body: fields,
      xSource: Array.isArray(xSource) ? xSource[0] : xSource,
      account
    })
    if (fault?.kind === 'lose-answer') {
      this.record(req, { region, outcome: 'lose-answer' })
      req.socket.resetAndDestroy()
      return
    }
    answer('created', 200, { worldId })
  }

  private route(pathname: string): { region: SimRegion; rest: string } | undefined {
    const prefix = (this.options.pathPrefix ?? '').replace(/\/+$/, '')
    if (!pathname.startsWith(`${prefix}/`)) return undefined
    const path = pathname.slice(prefix.length)
    // The longer prefix first: /global/world/v1 is not a world id under /world/v1.
    for (const region of ['global', 'cn'] as const) {
      const base = WORLD_PREFIXES[region]
      if (path.startsWith(`${base}/`)) return { region, rest: path.slice(base.length) }
    }
    return undefined
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    const { assetGateway } = this.options
    if (assetGateway && /^(\/global)?\/asset\/v1\//.test(url.pathname)) {
      return passOn(req, res, new URL(`${url.pathname}${url.search}`, assetGateway))
    }
    if (req.method === 'GET' && this.shelf.has(url.pathname)) {
      const fields = { region: undefined }
      return this.shelf.serve(req, res, url.pathname, outcome =>
        this.record(req, { ...fields, outcome })
      )
    }
    const route = this.route(url.pathname)
    const raw = await readBody(req)
    if (!route) {
      this.record(req, { region: undefined, outcome: 'not-found' })
      res
        .writeHead(404, { 'Content-Type': 'text/html' })
        .end('<html><body>404 Not Found</body></html>')
      return
    }
    const { region, rest } = route
    const isList = rest === '/list' && req.method === 'POST'
    const isDetail = req.method === 'GET' && /^\/[^/]+$/.test(rest)
    let list: WorldRequest['list']
    try {
      list = isList ? (JSON.parse(raw) as WorldRequest['list']) : undefined
    } catch {
      list = undefined
    }
    const worldId = isDetail ? decodeURIComponent(rest.slice(1)) : undefined
    const answer = (outcome: string, status: number, body: unknown): void => {
      this.record(req, { region, worldId, list, outcome })
      sendJson(res, status, body)
    }

    const fault =
      (worldId && this.worldFaults.get(worldId)?.shift()) ||
      (isList && this.listFaults.shift()) ||
      this.faults.shift()
    if (fault) {
      this.record(req, { region, worldId, list, outcome: fault.kind })
      return answerWorldFault(res, fault, req)
    }
    const presented = req.headers.authorization
    const account = this.keys.get(presented ?? '')
    if (account === undefined) {
      const echo = this.options.echoKeyInErrors && presented ? ` (${presented})` : ''
      return answer('unauthenticated', 401, apiError(401, `Invalid API key${echo}`, '10004'))
    }
    if (isList) {
      const [status, body] = this.catalog.list(account, region, list, this.listIgnoresFilter)
      return answer(status === 200 ? 'ok' : 'invalid', status, body)
    }
    if (req.method === 'POST' && (rest === '/reconstructions' || rest === '/generations')) {
      return this.create(req, res, rest, raw, account, region)
    }
    if (!worldId) return answer('not-found', 404, apiError(404, 'No such API path'))
    const [status, body] = this.catalog.get(worldId, account, region)
    const outcomes: Record<number, string> = { 200: 'ok', 403: 'forbidden', 404: 'not-found' }
    answer(outcomes[status] ?? String(status), status, body)
  }
}

/** Starts a simulated World gateway; close it when done. */
export async function startWorldSim(options: WorldSimOptions = {}): Promise<WorldSim> {
  return new WorldSim(options).start()
}

/** The request as it came, to `target`; its answer as it comes back. */
function passOn(req: http.IncomingMessage, res: http.ServerResponse, target: URL): void {
  const forward = http.request(target, { method: req.method, headers: req.headers }, answer => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
  })
  forward.on('error', () => res.destroy())
  req.pipe(forward)
}
