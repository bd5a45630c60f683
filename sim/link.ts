/**
 * A far, slow, flaky link to an object store, for tests and `npm run bench`: one file served
 * over HTTP with byte ranges (or without), an ETag that may change, a bandwidth cap per
 * connection, added latency, and connections dropped after some bytes, once or every time.
 *
 * The file is a Buffer, or a generated body of any size (the repeating 1 MiB block of
 * sim/assets.ts's `generated`), so a range of a 1 GiB file costs no memory.
 */
import { createHash } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface LinkSettings {
  /** Bytes per second on each connection; undefined for no cap. */
  bytesPerSecond?: number
  /** Added before the answer's headers, as a far server's round trip. */
  latencyMs?: number
  /**
   * Cuts a connection after it carried this many body bytes (over all its answers): the first
   * connection to get there only (`once`), or every connection (`every`). `link`: each time the
   * link as a whole has carried this many more bytes, the connection carrying the next byte is
   * cut, however many connections share it.
   */
  drop?: { after: number; mode: 'once' | 'every' | 'link' }
  /** Whether Range is honoured and `Accept-Ranges: bytes` sent (default true). */
  ranges?: boolean
  /** The ETag sent; undefined for none (then Last-Modified is absent too). */
  etag?: string
  /** A new ETag on every answer, as a file rewritten between requests. */
  etagChangesEachTime?: boolean
  /** Serves a range whatever If-Range says, as a server that ignores it. */
  ignoreIfRange?: boolean
  /** Answers this many range requests with 200 and the whole file, as a proxy that drops Range. */
  rangesAnsweredWhole?: number
  /** Answers this many range requests with a Content-Range shifted by one byte. */
  wrongContentRange?: number
  /** Cuts each range (told apart by its last byte) after this many bytes, the first time only. */
  dropEachRangeOnce?: number
  /** The file grows by 1 MiB (same ETag, as a broken server) after this many answers. */
  growsAfter?: number
  /** Ends this many range answers after half their bytes, the connection closed cleanly. */
  shortRanges?: number
}

export interface LinkRequest {
  range?: string
  ifRange?: string
  status: number
  /** Body bytes this answer sent before it ended or was cut. */
  sent: number
}

const BLOCK = (() => {
  const block = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff
  return block
})()

/** The file a link serves. */
export type LinkBody = Buffer | { generated: number }

export class LinkSim {
  readonly requests: LinkRequest[] = []
  settings: LinkSettings
  private body: LinkBody
  private etagCount = 0
  private dropped = false
  /** Body bytes the link carried, and the link-wide drops so far (`drop.mode: 'link'`). */
  private linkSent = 0
  private linkDrops = 0
  private readonly rangesCut = new Set<number>()
  private readonly server: http.Server
  private readonly sockets = new Set<Socket>()
  /** Body bytes each connection carried. */
  private readonly carried = new WeakMap<Socket, number>()

  constructor(body: LinkBody, settings: LinkSettings = {}) {
    this.body = body
    this.settings = { ranges: true, etag: '"v1"', ...settings }
    this.server = http.createServer((req, res) => this.answer(req, res))
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
    })
  }

  async start(host = '127.0.0.1'): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, host, resolve))
    return this
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo
    return `http://127.0.0.1:${port}/file.bin`
  }

  get size(): number {
    return Buffer.isBuffer(this.body) ? this.body.length : this.body.generated
  }

  /** Replaces the file (another length, other bytes) and its ETag. */
  replace(body: LinkBody, etag?: string): void {
    this.body = body
    this.settings.etag = etag ?? `"r${++this.etagCount}"`
  }

  /** Body bytes sent over every answer. */
  get bytesSent(): number {
    return this.requests.reduce((sum, request) => sum + request.sent, 0)
  }

  /** Connections open now (a test checks that a cancel closed them all). */
  get openConnections(): number {
    return this.sockets.size
  }

  sha256(): string {
    const hash = createHash('sha256')
    for (let at = 0; at < this.size; at += BLOCK.length) {
      hash.update(this.slice(at, Math.min(this.size, at + BLOCK.length)))
    }
    return hash.digest('hex')
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  private etag(): string | undefined {
    const { etag, etagChangesEachTime } = this.settings
    if (etag === undefined) return undefined
    return etagChangesEachTime ? `"e${++this.etagCount}"` : etag
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const settings = this.settings
    if (settings.growsAfter !== undefined && this.requests.length >= settings.growsAfter) {
      settings.growsAfter = undefined
      this.body = { generated: this.size + 1024 * 1024 }
    }
    const size = this.size
    const etag = this.etag()
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/octet-stream' }
    if (etag) headers.ETag = etag
    if (settings.ranges) headers['Accept-Ranges'] = 'bytes'
    const record: LinkRequest = {
      range: req.headers.range,
      ifRange: String(req.headers['if-range'] ?? '') || undefined,
      status: 200,
      sent: 0
    }
    this.requests.push(record)

    let start = 0
    let end = size - 1
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    const ifRange = record.ifRange
    const current = !ifRange || ifRange === etag || settings.ignoreIfRange
    let partial = Boolean(settings.ranges && range && current)
    if (partial && settings.rangesAnsweredWhole) {
      settings.rangesAnsweredWhole--
      partial = false
    }
    if (partial && range) {
      start = Number(range[1])
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
      if (start >= size) {
        record.status = 416
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end()
        return
      }
      let shown = `bytes ${start}-${end}/${size}`
      if (settings.wrongContentRange) {
        settings.wrongContentRange--
        shown = `bytes ${start + 1}-${end}/${size}`
      }
      headers['Content-Range'] = shown
      record.status = 206
    }
    let length = end - start + 1
    headers['Content-Length'] = length
    if (partial && settings.shortRanges) {
      settings.shortRanges--
      length = Math.floor(length / 2)
    }
    let cutAfter: number | undefined
    const carried = this.carried.get(req.socket) ?? 0
    const perConnection = settings.drop?.mode !== 'link'
    if (settings.drop && perConnection && (settings.drop.mode === 'every' || !this.dropped)) {
      if (settings.drop.after - carried < length) {
        cutAfter = Math.max(0, settings.drop.after - carried)
        this.dropped = true
      }
    }
    const once = settings.dropEachRangeOnce
    if (partial && once !== undefined && once < length && !this.rangesCut.has(end)) {
      this.rangesCut.add(end)
      cutAfter = Math.min(cutAfter ?? once, once)
    }
    this.carried.set(req.socket, carried + (cutAfter ?? length))
    setTimeout(() => {
      if (res.destroyed) return
      res.writeHead(record.status, headers)
      this.pump(
        res,
        start,
        start + (cutAfter ?? length),
        record,
        cutAfter !== undefined,
        end - start + 1
      )
    }, settings.latencyMs ?? 0)
  }

  /** Sends bytes [from, to) at the capped rate, then ends, or cuts the connection. */
  private pump(
    res: http.ServerResponse,
    from: number,
    to: number,
    record: LinkRequest,
    cut: boolean,
    length: number
  ): void {
    const rate = this.settings.bytesPerSecond
    const began = performance.now()
    let at = from
    const finish = (): void => {
      // A short range ends the connection after fewer bytes than Content-Length promised: once the
      // bytes are out, and a moment later, so that the client has them before it sees the cut
      // (as over a real link, where the cut comes after the bytes in flight).
      if (cut || record.sent < length) {
        res.write('', () => setTimeout(() => res.socket?.destroy(), 20))
      } else res.end()
    }
    const next = (): void => {
      while (at < to) {
        if (res.destroyed) return
        if (rate !== undefined) {
          const due = began + ((at - from) / rate) * 1000
          const wait = due - performance.now()
          if (wait > 1) {
            setTimeout(next, wait)
            return
          }
        }
        let chunkSize = Math.min(to - at, 64 * 1024, rate ? Math.max(1024, rate / 50) : Infinity)
        const linkDrop = this.settings.drop?.mode === 'link' ? this.settings.drop.after : undefined
        const untilDrop =
          linkDrop === undefined ? Infinity : this.nextLinkDrop(linkDrop) - this.linkSent
        if (untilDrop <= chunkSize) chunkSize = untilDrop
        const chunk = this.slice(at, at + chunkSize)
        at += chunk.length
        record.sent += chunk.length
        this.linkSent += chunk.length
        if (untilDrop <= chunk.length) {
          this.linkDrops++
          res.write(chunk, () => setImmediate(() => res.socket?.destroy()))
          return
        }
        if (!res.write(chunk)) {
          res.once('drain', next)
          return
        }
      }
      finish()
    }
    next()
  }

  private nextLinkDrop(every: number): number {
    return (this.linkDrops + 1) * every
  }

  private slice(from: number, to: number): Buffer {
    if (Buffer.isBuffer(this.body)) return this.body.subarray(from, to)
    const offset = from % BLOCK.length
    if (offset + (to - from) <= BLOCK.length) return BLOCK.subarray(offset, offset + (to - from))
    const out = Buffer.allocUnsafe(to - from)
    for (let filled = 0; filled < out.length;) {
      const at = (from + filled) % BLOCK.length
      const take = Math.min(BLOCK.length - at, out.length - filled)
      BLOCK.copy(out, filled, at, at + take)
      filled += take
    }
    return out
  }
}

export function startLink(body: LinkBody, settings?: LinkSettings): Promise<LinkSim> {
  return new LinkSim(body, settings).start()
}
