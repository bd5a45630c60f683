/**
 * Writes a downloaded body to a new file and hashes it with SHA-256 on the way.
 *
 * Speed: Node's HTTP client reads the socket in 64 KiB chunks on the main thread, which already
 * costs about as much as curl's whole download; so little else runs there. Chunks are copied into
 * four 2 MiB buffers; a full buffer is written by one positioned write (libuv's thread pool), then
 * moved (transferred, not copied) to a worker thread that hashes it and hands it back. Filling,
 * writing and hashing thus run at once on different buffers, and memory is the buffers whatever
 * the file size: when all are busy the socket is paused. (Shared memory would spare the moves,
 * but V8 copies into a SharedArrayBuffer byte by byte: 0.5 s per GiB on the main thread.)
 */
import { createHash } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Worker } from 'node:worker_threads'
import { errorMessage } from '../errors.js'

/**
 * The file could not be written or hashed. Another try would meet the same disk, so the
 * downloader treats it as permanent.
 */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError'

  constructor(filePath: string, error: unknown, action: 'write' | 'hash' = 'write') {
    super(`cannot ${action} ${filePath}: ${errorMessage(error)}`, { cause: error })
  }
}

/**
 * Four buffers of 2 MiB: one filling, one being written, one being hashed, one spare. Measured on
 * 1 GiB (bench/download.ts): more or larger buffers cost RSS and were not faster.
 */
const BUFFER_BYTES = 2 * 1024 * 1024
const BUFFER_COUNT = 4
/** Between young-generation GCs (see collectGarbage); at 8 MiB one download's RSS passed 100 MB. */
const GARBAGE_EVERY_BYTES = 2 * 1024 * 1024
/** Below this, a worker's start-up costs more than hashing on the main thread. */
const WORKER_HASH_MIN_BYTES = 16 * 1024 * 1024

/** Computes SHA-256 over buffers in the order given. */
interface Hasher {
  /**
   * Hashes the first `length` bytes of `memory`, then gives the memory back for reuse: the same
   * Buffer, or a new one over the same bytes when they went to another thread and back.
   */
  update(memory: Buffer, length: number): Promise<Buffer | undefined>
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
        return reply?.memory && Buffer.from(reply.memory)
      },
      digest: async () => {
        const reply = await call({ op: 'digest' })
        this.close(stream)
        return reply?.digest ?? ''
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

let collectYoungGarbage: (() => void) | undefined

/**
 * Node's HTTP client allocates two fresh buffers per socket read (the read, and the body copy
 * the parser makes), and V8 frees them only at a GC; its heuristics let some 40-60 MB of them
 * pile up first. A young-generation GC every few MiB keeps the RSS flat at a fraction of a
 * millisecond each. V8 exposes `gc` to contexts created while its flag is on: one such context.
 */
function collectGarbage(): void {
  if (!collectYoungGarbage) {
    try {
      v8.setFlagsFromString('--expose-gc')
      const gc = vm.runInNewContext('gc') as (options: { type: 'minor' }) => void
      collectYoungGarbage = () => gc({ type: 'minor' })
    } catch {
      collectYoungGarbage = () => undefined
    } finally {
      v8.setFlagsFromString('--no-expose-gc')
    }
  }
  collectYoungGarbage()
}

/**
 * Writes a stream of chunks to a new file and hashes it, through at most BUFFER_COUNT buffers.
 * `push` copies into the current buffer; a full buffer is written, then hashed, then reused, so
 * filling, writing and hashing run at once on different buffers.
 */
export class HashingFileWriter {
  /** Set by the reader: called once with the first write or hashing failure (a FileWriteError). */
  onError: (error: Error) => void = () => undefined
  private readonly idle: Buffer[] = []
  private allocated = 0
  private current: Buffer | undefined
  private filled = 0
  private position = 0
  private sinceGarbage = 0
  private readonly backlog: Buffer[] = []
  private writes: Promise<void> = Promise.resolve()
  private readonly inFlight = new Set<Promise<void>>()
  private failure: Error | undefined
  private onRoom: (() => void) | undefined
  private closed = false

  private constructor(
    private readonly file: FileHandle,
    private readonly filePath: string,
    private readonly hasher: Hasher,
    private readonly bufferBytes: number
  ) {}

  /** Creates `filePath`, which must not exist yet. Throws FileWriteError. */
  static async open(
    filePath: string,
    expectedBytes: number | undefined
  ): Promise<HashingFileWriter> {
    try {
      return await HashingFileWriter.create(filePath, expectedBytes)
    } catch (error) {
      throw new FileWriteError(filePath, error)
    }
  }

  private static async create(
    filePath: string,
    expectedBytes: number | undefined
  ): Promise<HashingFileWriter> {
    const file = await open(filePath, 'wx')
    const large = expectedBytes === undefined || expectedBytes >= WORKER_HASH_MIN_BYTES
    const bufferBytes = Math.min(BUFFER_BYTES, Math.max(64 * 1024, expectedBytes ?? BUFFER_BYTES))
    try {
      const hasher = large ? HashWorker.open() : new InlineHasher()
      return new HashingFileWriter(file, filePath, hasher, bufferBytes)
    } catch (error) {
      await file.close()
      throw error
    }
  }

  /** Takes the chunk; false when the caller must wait for `whenRoom` before pushing more. */
  push(chunk: Buffer): boolean {
    if (this.failure) return true
    this.backlog.push(chunk)
    this.fill()
    return this.backlog.length === 0
  }

  /** Calls back once every pushed chunk has been taken (or the writer failed). */
  whenRoom(callback: () => void): void {
    this.onRoom = callback
  }

  /**
   * Waits for everything pushed to be written; closes the file. A write or hashing failure
   * throws FileWriteError.
   */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    while (this.backlog.length > 0 && !this.failure) {
      await new Promise<void>(resolve => this.whenRoom(resolve))
    }
    if (!this.failure && this.filled > 0) this.flush()
    await this.settle()
    if (this.failure) throw this.failure
    const sha256 = await this.hasher.digest()
    this.closed = true
    await this.file.close()
    return { bytes: this.position, sha256 }
  }

  /** Stops and closes the file (the caller deletes it). Harmless after finish. */
  async abort(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.failure ??= new Error('aborted')
    this.backlog.length = 0
    await this.settle()
    this.hasher.close()
    await this.file.close().catch(() => undefined)
  }

  private fill(): void {
    while (this.backlog.length > 0 && !this.failure) {
      const memory = (this.current ??= this.takeBuffer())
      if (!memory) return
      const chunk = this.backlog[0]
      const copied = chunk.copy(memory, this.filled)
      this.filled += copied
      if (copied === chunk.length) this.backlog.shift()
      else this.backlog[0] = chunk.subarray(copied)
      if (this.filled === memory.length) this.flush()
    }
  }

  private takeBuffer(): Buffer | undefined {
    const memory = this.idle.pop()
    if (memory || this.allocated === BUFFER_COUNT) return memory
    this.allocated++
    // An ArrayBuffer of its own, so that it can move to the hashing thread and back.
    return Buffer.from(new ArrayBuffer(this.bufferBytes))
  }

  private flush(): void {
    const memory = this.current as Buffer
    const length = this.filled
    const position = this.position
    this.current = undefined
    this.filled = 0
    this.position += length
    // Writes go one after another, so buffers reach the hasher in file order.
    const written = (this.writes = this.writes.then(() =>
      writeFully(this.file, memory, length, position).catch((error: unknown) => {
        throw new FileWriteError(this.filePath, error)
      })
    ))
    const reused = written
      .then(() => this.hasher.update(memory, length))
      .then(
        back => back && this.release(back),
        (error: unknown) => this.fail(error)
      )
      .finally(() => this.inFlight.delete(reused))
    this.inFlight.add(reused)
    this.sinceGarbage += length
    if (this.sinceGarbage >= GARBAGE_EVERY_BYTES) {
      this.sinceGarbage = 0
      collectGarbage()
    }
  }

  private release(memory: Buffer): void {
    this.idle.push(memory)
    this.fill()
    if (this.backlog.length === 0) this.wake()
  }

  private fail(error: unknown): void {
    if (this.failure) return
    this.failure =
      error instanceof FileWriteError ? error : new FileWriteError(this.filePath, error, 'hash')
    this.onError(this.failure)
    this.wake()
  }

  private wake(): void {
    const callback = this.onRoom
    this.onRoom = undefined
    callback?.()
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }
}

async function writeFully(
  file: FileHandle,
  memory: Buffer,
  length: number,
  position: number
): Promise<void> {
  for (let offset = 0; offset < length;) {
    const { bytesWritten } = await file.write(memory, offset, length - offset, position + offset)
    offset += bytesWritten
  }
}
