/**
 * A simulated Aholo open API on 127.0.0.1: the task-list endpoint exactly as documented
 * (signed query, JSON envelope), scripted task timelines, injected faults, and asset files.
 * Used by the integration and end-to-end tests, the demo and the benchmarks.
 */
import { createHash } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { assetPathOf, AssetShelf, type AssetSpec } from './assets.js'
import { type AnswerStyle, readBody, sendJson } from './http-body.js'
import { answerFault, type Fault } from './open-platform-answers.js'

export { type AssetSpec, generatedSha256 } from './assets.js'

export const TASK_LIST_PATH = '/v2/aholo/project/task/list/by-ids'
export const MAX_IDS_PER_REQUEST = 50
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000

export interface SimCredentials {
  appKey: string
  appSecret: string
  appUid: string
}

/** One step of a task's timeline: a status, or a status with an explicit result. */
export type TimelineStep = number | { status: number; result?: Record<string, string> | null }

export interface TaskScript {
  /** Status per request that asks for the task; the last one repeats. */
  timeline: TimelineStep[]
  /** The task is left out of the first N answers that ask for it. */
  absentFor?: number
  /** Formats to include in a success result (default ply, spz, sog). */
  formats?: Array<'ply' | 'spz' | 'sog'>
  /** Answers for the task under this id instead, as a case-blind service might. */
  answerAs?: string
}

export type { AnswerStyle } from './http-body.js'
export type { Fault } from './open-platform-answers.js'

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  ids: string[] | undefined
  /** What the service answered: 'ok', a fault kind, or an error code. */
  outcome: string
  at: number
}

export interface SimOptions {
  credentials?: SimCredentials
  /** The service's clock for timestamp checks. */
  now?: () => number
}

export const DEFAULT_CREDENTIALS: SimCredentials = {
  appKey: 'sim-key',
  appSecret: 'sim-secret-0123456789',
  appUid: 'sim-user'
}

export class AholoSim {
  readonly requests: RecordedRequest[] = []
  private readonly tasks = new Map<string, { script: TaskScript; asked: number }>()
  private readonly faults: Fault[] = []
  private readonly shelf = new AssetShelf<Fault>(answerFault)
  private readonly sockets = new Set<Socket>()
  private readonly server: http.Server
  private readonly credentials: SimCredentials
  private readonly now: () => number
  url = ''

  constructor(options: SimOptions = {}) {
    this.credentials = options.credentials ?? DEFAULT_CREDENTIALS
    this.now = options.now ?? Date.now
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        res.destroy(error as Error)
      })
    })
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  async start(host = '127.0.0.1'): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, host, resolve))
    const { port } = this.server.address() as AddressInfo
    this.url = `http://${host}:${port}`
    return this
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  /** Scripts a task; a bare array is its status timeline. */
  addTask(taskId: string, script: TaskScript | TimelineStep[]): this {
    this.tasks.set(taskId, {
      script: Array.isArray(script) ? { timeline: script } : script,
      asked: 0
    })
    return this
  }

  /** How successful answers are wrapped from now on. */
  answerStyle: AnswerStyle = 'plain'

  /** Faults answered to the next API requests, one each, in order. */
  injectFaults(...faults: Fault[]): this {
    this.faults.push(...faults)
    return this
  }

  /** Faults answered to the next GETs of one asset path, before it is served. */
  injectAssetFaults(path: string, ...faults: Fault[]): this {
    this.shelf.injectFaults(path, faults)
    return this
  }

  addAsset(path: string, spec: AssetSpec): this {
    this.shelf.add(path, spec)
    return this
  }

  /** The URL a success result gives for a task's asset; served if an asset is added there. */
  assetUrl(taskId: string, format: 'ply' | 'spz' | 'sog'): string {
    return `${this.url}${this.assetPath(taskId, format)}`
  }

  assetPath(taskId: string, format: 'ply' | 'spz' | 'sog'): string {
    return assetPathOf(taskId, format)
  }

  /** API requests only (not asset downloads). */
  get apiRequests(): RecordedRequest[] {
    return this.requests.filter(request => request.path === TASK_LIST_PATH)
  }

  /** How many times the service was asked about a task. */
  timesAsked(taskId: string): number {
    return this.tasks.get(taskId)?.asked ?? 0
  }

  private record(req: http.IncomingMessage, ids: string[] | undefined, outcome: string): void {
    const url = new URL(req.url ?? '/', 'http://sim')
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ids,
      outcome,
      at: Date.now()
    })
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    if (url.pathname === TASK_LIST_PATH) return this.handleTaskList(req, res, url)
    if (req.method === 'GET' && this.shelf.has(url.pathname)) {
      return this.shelf.serve(req, res, url.pathname, outcome =>
        this.record(req, undefined, outcome)
      )
    }
    this.record(req, undefined, 'not-found')
    res
      .writeHead(404, { 'Content-Type': 'text/html' })
      .end('<html><body>404 Not Found</body></html>')
  }

  private async handleTaskList(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL
  ): Promise<void> {
    const raw = await readBody(req)
    let ids: string[] | undefined
    try {
      const parsed: unknown = JSON.parse(raw)
      if (Array.isArray(parsed) && parsed.every(id => typeof id === 'string')) ids = parsed
    } catch {
      ids = undefined
    }

    const fault = this.faults.shift()
    if (fault) {
      this.record(req, ids, fault.kind)
      return answerFault(res, fault, req)
    }

    const reject = (c: string, m: string): void => {
      this.record(req, ids, `c=${c}`)
      sendJson(res, 200, { c, d: null, m, f: '' })
    }
    if (req.method !== 'POST') return reject('405', '请求方法错误')
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return reject('400', 'Content-Type 必须为 application/json')
    const q = url.searchParams
    if (q.get('appkey') !== this.credentials.appKey) return reject('100001', 'appkey 不存在')
    if (q.get('appuid') !== this.credentials.appUid) return reject('100004', 'appuid 无效')
    const timestamp = Number(q.get('timestamp'))
    if (
      !/^\d{13}$/.test(q.get('timestamp') ?? '') ||
      Math.abs(this.now() - timestamp) > MAX_CLOCK_SKEW_MS
    ) {
      return reject('100003', '时间戳无效或已过期')
    }
    const { appSecret, appKey, appUid } = this.credentials
    const expected = createHash('md5')
      .update(`${appSecret}${appKey}${appUid}${q.get('timestamp')}`)
      .digest('hex')
    if (q.get('sign') !== expected) return reject('100002', '签名错误')
    if (!ids) return reject('400', '请求体必须为任务 id 的 JSON 数组')
    if (ids.length > MAX_IDS_PER_REQUEST)
      return reject('400', `一次最多查询 ${MAX_IDS_PER_REQUEST} 个任务`)

    const d: unknown[] = []
    for (const taskId of ids) {
      const entry = this.tasks.get(taskId)
      if (!entry) continue
      const round = entry.asked++
      if (round < (entry.script.absentFor ?? 0)) continue
      const timeline = entry.script.timeline
      const step = timeline[Math.min(round - (entry.script.absentFor ?? 0), timeline.length - 1)]
      const status = typeof step === 'number' ? step : step.status
      const explicit = typeof step === 'number' ? undefined : step.result
      d.push({
        taskId: entry.script.answerAs ?? taskId,
        status,
        result:
          explicit !== undefined
            ? explicit
            : status === 3
              ? this.successResult(taskId, entry.script)
              : null
      })
    }
    this.record(req, ids, 'ok')
    sendJson(res, 200, { c: '0', d, m: null, f: '' }, this.answerStyle)
  }

  private successResult(taskId: string, script: TaskScript): Record<string, string> {
    const result: Record<string, string> = {}
    for (const format of script.formats ?? ['ply', 'spz', 'sog']) {
      result[`${format}Path`] = this.assetUrl(taskId, format)
    }
    return result
  }
}

/** Starts a simulated service; close it when done. */
export async function startAholoSim(options: SimOptions = {}): Promise<AholoSim> {
  return new AholoSim(options).start()
}
