/**
 * A stand-in for GitHub's check-runs REST endpoints on 127.0.0.1, under any path prefix (as
 * GitHub Enterprise serves `/api/v3`). Records every request, and answers with injected
 * faults: the 403 GitHub sends to a token without `checks: write`, a 500, a hang; and, per
 * route, a delay before every answer or no answer at all.
 */
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface RecordedApiRequest {
  method: string
  path: string
  /** Header names in lower case; `authorization` is kept so tests can check it is sent. */
  headers: http.IncomingHttpHeaders
  body: unknown
}

export type ApiFault =
  /** What GitHub answers a GITHUB_TOKEN without `checks: write`. */
  | { kind: 'forbidden' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answers; the client must give up on its own. */
  | { kind: 'hang' }

export const FORBIDDEN_BODY = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
  status: '403'
}

/** `create` is POST …/check-runs; `update` is PATCH …/check-runs/{id}. */
export type ApiRoute = 'create' | 'update'

export interface RouteBehaviour {
  /** Waits this long before answering. */
  delayMs?: number
  /** Never answers (the connection stays open until the client gives up). */
  hang?: boolean
  /** Only for requests that complete a check run (`status: completed`): the final update. */
  completingOnly?: boolean
}

const CHECK_RUNS = /^(.*)\/repos\/([^/]+)\/([^/]+)\/check-runs(?:\/(\d+))?$/

export class GitHubApiStub {
  readonly requests: RecordedApiRequest[] = []
  /** The check runs as they stand after every request, by id. */
  readonly checkRuns = new Map<number, Record<string, unknown>>()
  private readonly faults: ApiFault[] = []
  private persistentFault: ApiFault | undefined
  private readonly routes = new Map<ApiRoute, RouteBehaviour>()
  private readonly open = new Set<http.ServerResponse>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly sockets = new Set<Socket>()
  private readonly server: http.Server
  private nextId = 4242
  url = ''

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res))
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
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  /** The next requests get these answers, one each, in order. */
  failNext(...faults: ApiFault[]): void {
    this.faults.push(...faults)
  }

  /** Every request from now on gets this answer (undefined: back to normal). */
  failAlways(fault: ApiFault | undefined): void {
    this.persistentFault = fault
  }

  /** Every request on `route` from now on gets this behaviour (undefined: back to normal). */
  behave(route: ApiRoute, behaviour: RouteBehaviour | undefined): void {
    if (behaviour) this.routes.set(route, behaviour)
    else this.routes.delete(route)
  }

  /**
   * Requests received whose connection is still open with no answer sent: a client that gives up
   * closes its socket, so this falls back to 0.
   */
  get unanswered(): number {
    return this.open.size
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const path = new URL(req.url ?? '/', 'http://stub').pathname
    let body: unknown = undefined
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      body = raw
    }
    this.requests.push({ method: req.method ?? '', path, headers: req.headers, body })
    this.open.add(res)
    const settled = (): boolean => this.open.delete(res)
    res.on('finish', settled)
    res.on('close', settled)

    const route: ApiRoute | undefined =
      req.method === 'POST' ? 'create' : req.method === 'PATCH' ? 'update' : undefined
    const routeBehaviour = route ? this.routes.get(route) : undefined
    const completing = (body as { status?: unknown } | undefined)?.status === 'completed'
    const behaviour = routeBehaviour?.completingOnly && !completing ? undefined : routeBehaviour
    if (behaviour?.hang) return
    if (behaviour?.delayMs) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(() => {
          this.timers.delete(timer)
          resolve()
        }, behaviour.delayMs)
        this.timers.add(timer)
      })
      if (res.destroyed) return
    }
    this.answer(req, res, path, body)
  }

  private answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    body: unknown
  ): void {
    const fault = this.faults.shift() ?? this.persistentFault
    if (fault?.kind === 'hang') return
    if (fault?.kind === 'forbidden') return send(res, 403, FORBIDDEN_BODY)
    if (fault?.kind === 'status')
      return send(res, fault.status, fault.body ?? { message: 'Server Error' }, fault.headers)

    const match = CHECK_RUNS.exec(path)
    if (!req.headers.authorization) return send(res, 401, { message: 'Requires authentication' })
    if (!match) return send(res, 404, { message: 'Not Found' })
    const [, , owner, repo, idText] = match
    const fields = (body ?? {}) as Record<string, unknown>
    if (req.method === 'POST' && !idText) {
      const id = this.nextId++
      const run = {
        id,
        html_url: `https://github.example/${owner}/${repo}/runs/${id}`,
        status: 'queued',
        conclusion: null,
        ...fields
      }
      this.checkRuns.set(id, run)
      return send(res, 201, run)
    }
    const existing = idText ? this.checkRuns.get(Number(idText)) : undefined
    if (req.method === 'PATCH' && existing) {
      Object.assign(existing, fields)
      return send(res, 200, existing)
    }
    return send(res, 404, { message: 'Not Found' })
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

/** Starts a stand-in; close it when done. */
export async function startGitHubApi(): Promise<GitHubApiStub> {
  return new GitHubApiStub().start()
}
