/**
 * A simulated upload service on 127.0.0.1 (DESIGN.md §2d), as two servers: the asset gateway,
 * which takes the API key and hands out tokens, and the upload service (OUS) at the token's
 * `globalDomain`, which takes the token alone. Single uploads and block uploads with
 * `lackBlocks` (a resumed upload) and `deduplicated` (a file it holds), the status, MD5 checks of
 * every file and of every block's size, injected faults, and an optional shared bandwidth limit.
 *
 * Blocks are hashed as they come, in order (a block that comes early waits in memory for the
 * ones before it), so the service holds a few blocks at most and never a whole file. Answers
 * are in the vendor's shapes, so that its own client (aholo-sdk-asset) works against it.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { sendJson } from './http-body.js'

export const DEFAULT_UPLOAD_KEY = 'sim-upload-key-0123456789abcdef'
/** Files above this go in blocks: 5 MiB, so a 4 MB photo is one request and a video is blocks. */
export const DEFAULT_BLOCK_SIZE = 5 * 1024 * 1024

export type PartFault = 'http500' | 'reset'
export type StatusFault = 'http500'

export interface UploadRequest {
  server: 'gateway' | 'ous'
  method: string
  path: string
  /** Headers and URL as received, for tests that look for a secret in what was sent. */
  headerText: string
  /** Whether the API key appeared anywhere in this request: headers, URL or body. */
  carriedApiKey: boolean
  ousToken?: string
  block?: number
  outcome: string
}

export interface UploadSimOptions {
  keys?: readonly string[]
  blockSize?: number
  /** Status answers of a finished upload before it says done (default 1: the client must poll). */
  pollsBeforeDone?: number
  /** One limit for every body received, all connections together (default: none). */
  bytesPerSecond?: number
  /** What the token names as the upload domain (default the sim's own upload service). */
  globalDomain?: string
}

interface Upload {
  token: string
  kind?: 'single' | 'block'
  md5?: string
  name?: string
  size?: number
  blocks?: number
  received: Set<number>
  /** Blocks received ahead of the next one to hash. */
  waiting: Map<number, Buffer>
  hash?: Hash
  nextToHash: number
  status: number
  errorMsg?: string
  url?: string
  pollsLeft: number
}

interface Resumable {
  content: Buffer
  lackBlocks: string[]
}

export class UploadSim {
  readonly requests: UploadRequest[] = []
  gatewayUrl = ''
  ousUrl = ''
  /** Every MD5 the service holds, with the name it was first given. */
  readonly stored = new Map<string, string>()
  private readonly uploads = new Map<string, Upload>()
  private readonly resumables = new Map<string, Resumable>()
  private readonly partFaults = new Map<number, PartFault[]>()
  private readonly statusFaults: StatusFault[] = []
  private readonly tokenFaults: number[] = []
  private failNextUploadWith: { status: number; message: string } | undefined
  private readonly sockets = new Set<Socket>()
  private readonly gateway: http.Server
  private readonly ous: http.Server
  private readonly keys: Set<string>
  private readonly blockSize: number
  private throttleFree = 0
  private readonly busy = new Set<Socket>()
  private filesInFlight = 0
  private readonly partsInFlight = new Map<string, number>()
  /** The most single uploads and blocks in flight at once, all files together. */
  peakFileRequests = 0
  /** The most blocks of one upload in flight at once. */
  peakPartsPerUpload = 0

  constructor(private readonly options: UploadSimOptions = {}) {
    this.keys = new Set(options.keys ?? [DEFAULT_UPLOAD_KEY])
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE
    const serve = (server: 'gateway' | 'ous') =>
      http.createServer((req, res) => {
        const socket = req.socket
        this.busy.add(socket)
        const idle = (): void => void this.busy.delete(socket)
        res.on('finish', idle)
        res.on('close', idle)
        this.answer(server, req, res).catch(() => res.destroy())
      })
    this.gateway = serve('gateway')
    this.ous = serve('ous')
    for (const server of [this.gateway, this.ous]) {
      server.on('connection', socket => {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
      })
    }
  }

  async start(host = '127.0.0.1'): Promise<this> {
    for (const server of [this.gateway, this.ous]) {
      await new Promise<void>(resolve => server.listen(0, host, resolve))
    }
    this.gatewayUrl = `http://${host}:${(this.gateway.address() as AddressInfo).port}`
    this.ousUrl = `http://${host}:${(this.ous.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await Promise.all(
      [this.gateway, this.ous].map(
        server => new Promise<void>(resolve => server.close(() => resolve()))
      )
    )
  }

  /** Connections open now, both servers (idle keep-alive ones included). */
  get openSockets(): number {
    return this.sockets.size
  }

  /** Connections in the middle of a request: not answered yet, or still sending. */
  get busySockets(): number {
    return this.busy.size
  }

  /** Requests to the upload service that sent a file's bytes (single uploads and blocks). */
  get fileRequests(): UploadRequest[] {
    return this.requests.filter(
      r => r.server === 'ous' && r.method === 'POST' && r.outcome === 'ok'
    )
  }

  /** The service holds part of `content` from an earlier try: init answers `lackBlocks`. */
  resumable(content: Buffer, lackBlocks: string[]): void {
    this.resumables.set(md5Of(content), { content, lackBlocks })
  }

  /** The service holds `content` already: a block upload of it is deduplicated. */
  holds(content: Buffer, name = 'earlier.bin'): void {
    this.stored.set(md5Of(content), name)
  }

  /** The next requests for block `block` fail, one fault each. */
  failPart(block: number, ...faults: PartFault[]): void {
    this.partFaults.set(block, [...(this.partFaults.get(block) ?? []), ...faults])
  }

  /** The next status requests fail, one fault each. */
  failStatus(...faults: StatusFault[]): void {
    this.statusFaults.push(...faults)
  }

  /** The next token requests answer these HTTP statuses. */
  failToken(...statuses: number[]): void {
    this.tokenFaults.push(...statuses)
  }

  /** The next upload that completes ends with this status (6 or 8) instead of 5. */
  failNextUpload(status: number, message = 'simulated failure'): void {
    this.failNextUploadWith = { status, message }
  }

  private async answer(
    server: 'gateway' | 'ous',
    req: http.IncomingMessage,
    res: http.ServerResponse
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    const headerText = `${req.method} ${req.url}\n${req.rawHeaders.join('\n')}`
    const record: UploadRequest = {
      server,
      method: req.method ?? '',
      path: url.pathname,
      headerText,
      carriedApiKey: [...this.keys].some(key => headerText.includes(key)),
      outcome: 'ok'
    }
    this.requests.push(record)
    if (server === 'gateway') return this.answerGateway(req, res, url, record)
    if (url.pathname === '/bench/stream' && req.method === 'POST') {
      // For the benchmark's baseline: the same bytes, hashed as the service hashes them.
      const hash = createHash('md5')
      for await (const chunk of req as AsyncIterable<Buffer>) {
        hash.update(chunk)
        await this.throttle(chunk.length)
      }
      return sendJson(res, 200, ok(hash.digest('hex')))
    }
    const token = header(req, 'ous-token-v2')
    record.ousToken = token
    const upload = token === undefined ? undefined : this.uploads.get(token)
    if (!upload) {
      record.outcome = 'bad-token'
      req.resume()
      return sendJson(res, 401, { c: '401', m: 'ous token missing or invalid', d: null })
    }
    const route = `${req.method} ${url.pathname}`
    if (route === 'GET /ous/api/v2/upload/status') return this.answerStatus(upload, res, record)
    if (route === 'POST /ous/api/v2/block/upload/init') {
      req.resume()
      return this.answerInit(upload, url, res, record)
    }
    if (
      route === 'POST /ous/api/v2/single/upload' ||
      route === 'POST /ous/api/v2/block/upload/part'
    ) {
      if (!header(req, 'content-type')?.includes('multipart/form-data')) {
        record.outcome = 'not-multipart'
        req.resume()
        return sendJson(res, 200, refused('1001', 'multipart/form-data expected'))
      }
      const isPart = route.endsWith('/part')
      this.count(upload.token, isPart, +1)
      try {
        return await (isPart
          ? this.answerPart(upload, req, res, record)
          : this.answerSingle(upload, req, res, record))
      } finally {
        this.count(upload.token, isPart, -1)
      }
    }
    record.outcome = 'not-found'
    req.resume()
    sendJson(res, 404, { c: '404', m: 'no such path', d: null })
  }

  private answerGateway(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    record: UploadRequest
  ): void {
    req.resume()
    if (
      req.method !== 'GET' ||
      !['/asset/v1/token', '/global/asset/v1/token'].includes(url.pathname)
    ) {
      record.outcome = 'not-found'
      return sendJson(res, 404, apiError(404, 'NOT_FOUND', 'no such path'))
    }
    const fault = this.tokenFaults.shift()
    if (fault !== undefined) {
      record.outcome = `http${fault}`
      return sendJson(res, fault, apiError(fault, 'UNAVAILABLE', 'simulated fault'))
    }
    if (!this.keys.has(header(req, 'authorization') ?? '')) {
      record.outcome = 'unauthenticated'
      return sendJson(res, 401, apiError(401, 'UNAUTHENTICATED', 'Invalid API key', '10004'))
    }
    const token = `ous-${randomBytes(16).toString('hex')}`
    this.uploads.set(token, {
      token,
      received: new Set(),
      waiting: new Map(),
      nextToHash: 1,
      status: 0,
      pollsLeft: this.options.pollsBeforeDone ?? 1
    })
    const globalDomain = this.options.globalDomain ?? this.ousUrl
    sendJson(res, 200, { ousToken: token, globalDomain, blockSize: this.blockSize })
  }

  private answerInit(upload: Upload, url: URL, res: http.ServerResponse, record: UploadRequest) {
    const query = url.searchParams
    const md5 = query.get('md5') ?? ''
    const size = Number(query.get('size'))
    const blocks = Number(query.get('blocks'))
    const name = query.get('name') ?? ''
    const problem = !/^[0-9a-f]{32}$/.test(md5)
      ? 'md5 must be 32 lower-case hex digits'
      : !Number.isSafeInteger(size) || size <= this.blockSize
        ? `size must be an integer above the block size ${this.blockSize}`
        : blocks !== Math.ceil(size / this.blockSize)
          ? `blocks must be ${Math.ceil(size / this.blockSize)} for ${size} bytes`
          : name === ''
            ? 'name is required'
            : upload.kind !== undefined && upload.md5 !== md5
              ? 'this token belongs to another upload'
              : undefined
    if (problem) {
      record.outcome = 'invalid'
      return sendJson(res, 200, refused('1002', problem))
    }
    Object.assign(upload, { kind: 'block', md5, size, blocks, name })
    upload.hash ??= createHash('md5')
    if (this.stored.has(md5)) {
      record.outcome = 'deduplicated'
      this.complete(upload)
      return sendJson(res, 200, ok({ taskId: 1, lackBlocks: [], progress: 1, deduplicated: true }))
    }
    const earlier = this.resumables.get(md5)
    let lackBlocks: string[] | null = null
    if (earlier) {
      const lacking = expand(earlier.lackBlocks)
      for (let block = 1; block <= blocks; block++) {
        if (!lacking.has(block)) this.receive(upload, block, this.slice(earlier.content, block))
      }
      lackBlocks = earlier.lackBlocks
    }
    sendJson(res, 200, ok({ taskId: 1, lackBlocks, progress: 0, deduplicated: false }))
  }

  private async answerPart(
    upload: Upload,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: UploadRequest
  ): Promise<void> {
    const form = await this.readForm(req, record)
    const block = Number(form.get('block')?.data.toString('utf8'))
    record.block = block
    const fault = this.partFaults.get(block)?.shift()
    if (fault === 'reset') {
      record.outcome = 'reset'
      return void req.socket.destroy()
    }
    if (fault === 'http500') {
      record.outcome = 'http500'
      return sendJson(res, 500, { c: '500', m: 'simulated fault', d: null })
    }
    const file = form.get('file')
    const blocks = upload.blocks ?? 0
    const problem =
      upload.kind !== 'block'
        ? 'no block upload was started with this token'
        : !Number.isInteger(block) || block < 1 || block > blocks
          ? `block must be 1 to ${blocks}`
          : file?.filename === undefined
            ? 'the file part is missing'
            : file.data.length !== this.blockLength(upload, block)
              ? `block ${block} must be ${this.blockLength(upload, block)} bytes, got ${file.data.length}`
              : undefined
    if (problem || !file) {
      record.outcome = 'invalid'
      return sendJson(res, 200, refused('1003', problem ?? 'the file part is missing'))
    }
    this.receive(upload, block, file.data)
    sendJson(res, 200, ok(null))
  }

  private async answerSingle(
    upload: Upload,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: UploadRequest
  ): Promise<void> {
    const form = await this.readForm(req, record)
    const md5 = form.get('md5')?.data.toString('utf8') ?? ''
    const file = form.get('file')
    const problem =
      file?.filename === undefined || file.filename === ''
        ? 'the file part with its filename is required'
        : file.data.length > this.blockSize
          ? `a single upload takes at most ${this.blockSize} bytes`
          : md5 !== md5Of(file.data)
            ? `md5 ${md5} does not match the file (${md5Of(file.data)})`
            : undefined
    if (problem || !file?.filename) {
      record.outcome = 'invalid'
      return sendJson(res, 200, refused('1004', problem ?? 'invalid'))
    }
    Object.assign(upload, { kind: 'single', md5, size: file.data.length, name: file.filename })
    this.complete(upload)
    sendJson(res, 200, ok(null))
  }

  private answerStatus(upload: Upload, res: http.ServerResponse, record: UploadRequest): void {
    const fault = this.statusFaults.shift()
    if (fault) {
      record.outcome = fault
      return sendJson(res, 500, { c: '500', m: 'simulated fault', d: null })
    }
    if (upload.status === 5 && upload.pollsLeft > 0) {
      upload.pollsLeft--
      return sendJson(res, 200, ok({ status: 3, uploadKey: upload.token }))
    }
    const done = upload.status === 5
    sendJson(
      res,
      200,
      ok({
        status: upload.status === 0 ? 1 : upload.status,
        uploadKey: upload.token,
        ...(done ? { url: upload.url, md5: upload.md5 } : {}),
        ...(upload.errorMsg ? { errorCode: 5001, errorMsg: upload.errorMsg } : {})
      })
    )
  }

  private count(token: string, isPart: boolean, step: 1 | -1): void {
    this.filesInFlight += step
    this.peakFileRequests = Math.max(this.peakFileRequests, this.filesInFlight)
    if (!isPart) return
    const parts = (this.partsInFlight.get(token) ?? 0) + step
    this.partsInFlight.set(token, parts)
    this.peakPartsPerUpload = Math.max(this.peakPartsPerUpload, parts)
  }

  /** Keeps block `block`, hashing every block that is now next in order. */
  private receive(upload: Upload, block: number, data: Buffer): void {
    if (upload.received.has(block)) return
    upload.received.add(block)
    upload.waiting.set(block, data)
    let next = upload.waiting.get(upload.nextToHash)
    while (next !== undefined) {
      upload.hash?.update(next)
      upload.waiting.delete(upload.nextToHash)
      upload.nextToHash++
      next = upload.waiting.get(upload.nextToHash)
    }
    if (upload.received.size === upload.blocks) {
      const actual = upload.hash?.digest('hex')
      if (actual !== upload.md5) {
        upload.status = 8
        upload.errorMsg = `md5 of the blocks ${actual} does not match ${upload.md5}`
      } else this.complete(upload)
    }
  }

  private complete(upload: Upload): void {
    const failure = this.failNextUploadWith
    if (failure) {
      this.failNextUploadWith = undefined
      upload.status = failure.status
      upload.errorMsg = failure.message
      return
    }
    const md5 = upload.md5 ?? ''
    if (!this.stored.has(md5)) this.stored.set(md5, upload.name ?? '')
    upload.status = 5
    upload.url = `${this.ousUrl}/files/${md5}/${encodeURIComponent(upload.name ?? '')}`
  }

  private blockLength(upload: Upload, block: number): number {
    return Math.min(this.blockSize, (upload.size ?? 0) - (block - 1) * this.blockSize)
  }

  private slice(content: Buffer, block: number): Buffer {
    return content.subarray((block - 1) * this.blockSize, block * this.blockSize)
  }

  /** A multipart body, whole (at most a block and its fields), after the bandwidth limit. */
  private async readForm(
    req: http.IncomingMessage,
    record: UploadRequest
  ): Promise<Map<string, { data: Buffer; filename?: string }>> {
    const chunks: Buffer[] = []
    for await (const chunk of req as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      await this.throttle(chunk.length)
    }
    const body = Buffer.concat(chunks)
    if ([...this.keys].some(key => body.includes(key))) record.carriedApiKey = true
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(header(req, 'content-type') ?? '')
    return parseForm(body, boundary?.[1] ?? boundary?.[2] ?? '')
  }

  /** Waits until `bytes` more fit under the shared limit (no limit: at once). */
  private async throttle(bytes: number): Promise<void> {
    const rate = this.options.bytesPerSecond
    if (rate === undefined) return
    const now = performance.now()
    // A link idle for a moment (a timer that fired late, a request between two blocks) keeps up
    // to 100 ms of its capacity, as the buffers along a real path do; a longer pause loses it.
    this.throttleFree = Math.max(now - 100, this.throttleFree) + (bytes / rate) * 1000
    const ahead = this.throttleFree - now
    // Small debts are carried rather than slept: timers are coarser than a socket read.
    if (ahead > 20) await delay(ahead)
  }
}

/** Starts a simulated upload service; close it when done. */
export function startUploadSim(options?: UploadSimOptions): Promise<UploadSim> {
  return new UploadSim(options).start()
}

export function md5Of(data: Buffer): string {
  return createHash('md5').update(data).digest('hex')
}

/** The parts of a multipart/form-data body by name. */
export function parseForm(
  body: Buffer,
  boundary: string
): Map<string, { data: Buffer; filename?: string }> {
  const parts = new Map<string, { data: Buffer; filename?: string }>()
  if (boundary === '') return parts
  const delimiter = Buffer.from(`--${boundary}`)
  let at = body.indexOf(delimiter)
  while (at !== -1) {
    const start = at + delimiter.length
    if (body.subarray(start, start + 2).toString() === '--') break
    const headerEnd = body.indexOf('\r\n\r\n', start)
    const next = body.indexOf(delimiter, headerEnd)
    if (headerEnd === -1 || next === -1) break
    const headers = body.subarray(start, headerEnd).toString('utf8')
    const name = /name="([^"]*)"/.exec(headers)?.[1]
    const filename = /filename="([^"]*)"/.exec(headers)?.[1]
    // The part's bytes end before the CRLF that precedes the next delimiter.
    const data = body.subarray(headerEnd + 4, next - 2)
    if (name !== undefined) {
      parts.set(name, { data, ...(filename === undefined ? {} : { filename: unescape(filename) }) })
    }
    at = next
  }
  return parts
}

function unescape(name: string): string {
  return name.replace(/%22/g, '"').replace(/%0D/g, '\r').replace(/%0A/g, '\n')
}

function expand(entries: readonly string[]): Set<number> {
  const blocks = new Set<number>()
  for (const entry of entries) {
    const [first, last = first] = entry.split('-').map(Number)
    for (let block = first; block <= last; block++) blocks.add(block)
  }
  return blocks
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function ok(d: unknown): { c: string; m: string; d: unknown } {
  return { c: '0', m: 'success', d }
}

function refused(c: string, m: string): { c: string; m: string; d: null } {
  return { c, m, d: null }
}

function apiError(code: number, status: string, message: string, bizCode?: string): unknown {
  return {
    code,
    message,
    status,
    details: { reason: status, domain: 'aholo3d', metaData: bizCode ? { bizCode } : {} }
  }
}
