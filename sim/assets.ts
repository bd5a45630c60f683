/**
 * Asset files as the simulated services serve them: real files, bytes, generated bodies of any
 * size, and the broken answers downloads must survive (short bodies, resets, redirects). One
 * shelf per simulated service, so that both APIs hand out the same files the same way.
 */
import { createHash } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import type * as http from 'node:http'

export type AssetSpec =
  | { kind: 'file'; path: string; contentType?: string }
  | { kind: 'bytes'; body: Buffer; contentType?: string }
  /** Declares Content-Length larger than what is sent, then ends the response. */
  | { kind: 'short'; body: Buffer; declaredLength: number }
  /** Sends the first `after` bytes of body, then resets the connection. */
  | { kind: 'reset'; body: Buffer; after: number }
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  /** A generated body of `bytes` bytes (deterministic), without holding it in memory. */
  | { kind: 'generated'; bytes: number }

export type AssetFormatName = 'ply' | 'spz' | 'sog'

/** Where a task's asset of one format lives on a simulated service, whichever API. */
export function assetPathOf(taskId: string, format: AssetFormatName): string {
  return `/assets/${taskId}/point_cloud.${format}`
}

/**
 * The assets of one simulated service, with faults to answer before an asset is served. `F` is
 * the service's own fault type, answered by the service's own `answerFault`.
 */
export class AssetShelf<F extends { kind: string }> {
  private readonly assets = new Map<string, AssetSpec>()
  private readonly faults = new Map<string, F[]>()

  constructor(
    private readonly answerFault: (
      res: http.ServerResponse,
      fault: F,
      req: http.IncomingMessage
    ) => void
  ) {}

  add(path: string, spec: AssetSpec): void {
    this.assets.set(path, spec)
  }

  injectFaults(path: string, faults: F[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults])
  }

  /** Whether a GET of this path is the shelf's to answer. */
  has(path: string): boolean {
    return this.assets.has(path) || this.faults.has(path)
  }

  /** Answers a GET of `path`; `record` hears the outcome before the answer is sent. */
  serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    record: (outcome: string) => void
  ): void {
    const fault = this.faults.get(path)?.shift()
    if (fault) {
      record(fault.kind)
      return this.answerFault(res, fault, req)
    }
    const spec = this.assets.get(path)
    if (!spec) {
      record('not-found')
      res.writeHead(404).end()
      return
    }
    record(spec.kind)
    sendAsset(res, spec)
  }
}

function sendAsset(res: http.ServerResponse, spec: AssetSpec): void {
  switch (spec.kind) {
    case 'file': {
      const size = statSync(spec.path).size
      res.writeHead(200, {
        'Content-Type': spec.contentType ?? 'application/octet-stream',
        'Content-Length': size
      })
      createReadStream(spec.path).pipe(res)
      return
    }
    case 'bytes':
      res.writeHead(200, {
        'Content-Type': spec.contentType ?? 'application/octet-stream',
        'Content-Length': spec.body.length
      })
      res.end(spec.body)
      return
    case 'short':
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': spec.declaredLength
      })
      res.write(spec.body)
      // Closing the socket ends the body early, as a dropped connection does.
      setImmediate(() => res.socket?.destroy())
      return
    case 'reset':
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': spec.body.length
      })
      res.write(spec.body.subarray(0, spec.after), () =>
        setImmediate(() => res.socket?.resetAndDestroy())
      )
      return
    case 'redirect':
      res.writeHead(spec.status ?? 302, { Location: spec.location }).end()
      return
    case 'generated':
      return sendGenerated(res, spec.bytes)
  }
}

/** The 1 MiB block that `generated` bodies repeat. */
function generatedBlock(): Buffer {
  const block = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff
  return block
}

/** SHA-256 of a `generated` body of `bytes` bytes, to check what a client received. */
export function generatedSha256(bytes: number): string {
  const block = generatedBlock()
  const hash = createHash('sha256')
  for (let sent = 0; sent < bytes; sent += block.length) {
    hash.update(block.subarray(0, Math.min(block.length, bytes - sent)))
  }
  return hash.digest('hex')
}

/** Streams `bytes` bytes of a repeating pattern with back-pressure, for large-file benchmarks. */
function sendGenerated(res: http.ServerResponse, bytes: number): void {
  const block = generatedBlock()
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes })
  let sent = 0
  const pump = (): void => {
    while (sent < bytes) {
      const size = Math.min(block.length, bytes - sent)
      sent += size
      if (!res.write(size === block.length ? block : block.subarray(0, size))) {
        res.once('drain', pump)
        return
      }
    }
    res.end()
  }
  pump()
}
