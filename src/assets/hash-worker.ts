/**
 * SHA-256 of a file sink's buffers, on a worker thread for large files. On a 1 GiB download from
 * loopback, hashing on the main thread costs it about 0.6 s of a 1.2 s download: the thread
 * that reads the socket is the bottleneck, so the hash moves to another core (bench/download.ts
 * measures both, side by side). Buffers are moved to the worker and back, not copied.
 */
import { createHash } from 'node:crypto'
import { Worker } from 'node:worker_threads'

/** Computes SHA-256 over buffers in the order given. */
export interface Hasher {
  /**
   * Hashes the first `length` bytes of `memory`, then gives the memory back for reuse: the same
   * Buffer, or a new one over the same bytes when they went to another thread and back.
   */
  update(memory: Buffer, length: number): Promise<Buffer>
  digest(): Promise<string>
  close(): void
}

/** For small files: on the main thread. */
class InlineHasher implements Hasher {
  private readonly hash = createHash('sha256')

  async update(memory: Buffer, length: number): Promise<Buffer> {
    this.hash.update(memory.subarray(0, length))
    return memory
  }

  async digest(): Promise<string> {
    return this.hash.digest('hex')
  }

  close(): void {}
}

// Inline, so that it survives bundling into one ESM file; CommonJS, as eval workers are.
// Buffers are transferred there and back (moved, not copied).
const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const hashes = new Map()
parentPort.on('message', ({ op, stream, memory, length }) => {
  let hash = hashes.get(stream)
  if (op === 'close') return hashes.delete(stream)
  if (!hash) hashes.set(stream, (hash = createHash('sha256')))
  if (op === 'update') {
    hash.update(new Uint8Array(memory, 0, length))
    parentPort.postMessage({ stream, memory }, [memory])
  } else {
    hashes.delete(stream)
    parentPort.postMessage({ stream, digest: hash.digest('hex') })
  }
})
`

interface Reply {
  stream: number
  memory?: ArrayBuffer
  digest?: string
}

interface Waiter {
  resolve(reply: Reply | undefined): void
  reject(error: Error): void
}

/**
 * One worker thread hashes every large download in flight (each is a stream of buffers), so
 * parallel downloads do not each pay for a V8 isolate. It ends when the last stream closes.
 */
class HashWorker {
  private static current: HashWorker | undefined
  private readonly worker = new Worker(HASH_WORKER_SOURCE, { eval: true })
  /** Replies come in the order of requests, per stream. */
  private readonly waiters = new Map<number, Waiter[]>()
  private nextStream = 1

  private constructor() {
    this.worker.on('message', (reply: Reply) =>
      this.waiters.get(reply.stream)?.shift()?.resolve(reply)
    )
    const broken = (error: Error): void => {
      if (HashWorker.current === this) HashWorker.current = undefined
      for (const queue of this.waiters.values()) queue.forEach(waiter => waiter.reject(error))
      this.waiters.clear()
    }
    this.worker.on('error', broken)
    this.worker.on('exit', code => broken(new Error(`the hashing thread stopped (exit ${code})`)))
  }

  static open(): Hasher {
    HashWorker.current ??= new HashWorker()
    return HashWorker.current.stream()
  }

  private stream(): Hasher {
    const stream = this.nextStream++
    const queue: Waiter[] = []
    this.waiters.set(stream, queue)
    const call = (message: object, transfer: ArrayBuffer[] = []): Promise<Reply | undefined> =>
      new Promise((resolve, reject) => {
        if (!this.waiters.has(stream)) return reject(new Error('the hashing thread stopped'))
        queue.push({ resolve, reject })
        this.worker.postMessage({ stream, ...message }, transfer)
      })
    return {
      update: async (memory, length) => {
        const buffer = memory.buffer as ArrayBuffer
        const reply = await call({ op: 'update', memory: buffer, length }, [buffer])
        if (!reply?.memory) throw new Error('the hashing thread stopped')
        return Buffer.from(reply.memory)
      },
      digest: async () => {
        const reply = await call({ op: 'digest' })
        this.close(stream)
        if (reply?.digest === undefined) throw new Error('the hashing thread stopped')
        return reply.digest
      },
      close: () => {
        if (!this.waiters.has(stream)) return
        this.worker.postMessage({ op: 'close', stream })
        this.close(stream)
      }
    }
  }

  private close(stream: number): void {
    this.waiters.get(stream)?.forEach(waiter => waiter.resolve(undefined))
    this.waiters.delete(stream)
    if (this.waiters.size > 0) return
    if (HashWorker.current === this) HashWorker.current = undefined
    void this.worker.terminate()
  }
}

/** Below this, a worker's start-up costs more than hashing on the main thread. */
export const WORKER_HASH_MIN_BYTES = 16 * 1024 * 1024

export type Hashing = 'auto' | 'main' | 'worker'

/**
 * A hasher for a file of `expectedBytes` (undefined when unknown): `auto` hashes large or
 * unknown sizes on the shared worker thread, small ones here.
 */
export function openHasher(hashing: Hashing, expectedBytes: number | undefined): Hasher {
  const large = expectedBytes === undefined || expectedBytes >= WORKER_HASH_MIN_BYTES
  return hashing === 'worker' || (hashing === 'auto' && large)
    ? HashWorker.open()
    : new InlineHasher()
}
