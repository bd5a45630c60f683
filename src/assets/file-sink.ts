/**
 * The end of a download's pipeline: a `stream.Writable` that writes a new file and computes its
 * SHA-256 on the way, in one pass over the bytes.
 *
 * Node's HTTP client hands over 64 KiB chunks. They are copied into a few large buffers; a full
 * buffer is written by one positioned write (libuv's thread pool), then hashed (on a worker
 * thread for large files: hash-worker.ts), so filling, writing and hashing run at once on
 * different buffers. Memory is those buffers whatever the file size: while every buffer is busy,
 * `_write` holds its callback and the pipeline pauses the socket.
 */
import { type FileHandle, open } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { errorMessage } from '../errors.js'
import { type Hasher, type Hashing, openHasher } from './hash-worker.js'

/** The file could not be created or written: another try would meet the same disk. */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError'

  constructor(
    readonly filePath: string,
    error: unknown,
    action: 'write' | 'hash' = 'write'
  ) {
    super(`cannot ${action} ${filePath}: ${errorMessage(error)}`, { cause: error })
  }
}

export interface SinkResult {
  bytes: number
  sha256: string
}

export interface FileSinkOptions {
  /** The size the server announced, if any: small files get small buffers and no worker. */
  expectedBytes?: number
  /** Where the SHA-256 is computed (default auto); the benchmark compares main and worker. */
  hashing?: Hashing
}

/**
 * Four buffers of 2 MiB: one filling, one being written, one being hashed, one spare. Measured on 1 GiB
 * (bench/download.ts): more or larger buffers cost RSS and were not faster.
 */
const BUFFER_BYTES = 2 * 1024 * 1024
const BUFFER_COUNT = 4
/** Enough queued in the Writable for the pipeline not to pause the socket after every chunk. */
const HIGH_WATER_MARK = 1024 * 1024

type Callback = (error?: Error | null) => void

/**
 * Creates `filePath` (which must not exist yet) and writes every chunk to it. After 'finish',
 * `result` holds the byte count and SHA-256. On an error or destroy the file is closed, not
 * removed: the caller owns the name.
 */
export class FileSink extends Writable {
  /** Set once the stream has finished. */
  result: SinkResult | undefined
  private file: FileHandle | undefined
  private readonly hasher: Hasher
  private readonly bufferBytes: number
  private readonly idle: Buffer[] = []
  private allocated = 0
  private current: Buffer | undefined
  private filled = 0
  private position = 0
  private readonly inFlight = new Set<Promise<void>>()
  private hashed: Promise<unknown> = Promise.resolve()
  private failure: Error | undefined
  /** The rest of a chunk that found no free buffer, with the callback that releases the writer. */
  private held: { chunk: Buffer; callback: Callback } | undefined

  constructor(
    readonly filePath: string,
    options: FileSinkOptions = {}
  ) {
    super({ highWaterMark: HIGH_WATER_MARK })
    const { expectedBytes } = options
    this.bufferBytes = Math.min(BUFFER_BYTES, Math.max(64 * 1024, expectedBytes ?? BUFFER_BYTES))
    this.hasher = openHasher(options.hashing ?? 'auto', expectedBytes)
  }

  override _construct(callback: Callback): void {
    open(this.filePath, 'wx').then(
      file => {
        this.file = file
        callback()
      },
      (error: unknown) => callback(new FileWriteError(this.filePath, error))
    )
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    if (this.failure) return callback(this.failure)
    this.take(chunk, callback)
  }

  override _final(callback: Callback): void {
    if (this.failure) return callback(this.failure)
    if (this.filled > 0) this.flush()
    this.settle()
      .then(async () => {
        if (this.failure) throw this.failure
        const sha256 = await this.hasher.digest()
        await this.closeFile()
        this.result = { bytes: this.position, sha256 }
      })
      .then(
        () => callback(),
        (error: unknown) =>
          callback(
            error instanceof FileWriteError ? error : new FileWriteError(this.filePath, error)
          )
      )
  }

  override _destroy(error: Error | null, callback: Callback): void {
    this.failure ??= error ?? new Error('destroyed')
    this.held = undefined
    this.settle()
      .then(() => {
        this.hasher.close()
        return this.closeFile()
      })
      .then(
        () => callback(error),
        () => callback(error)
      )
  }

  /** Copies as much of `chunk` as the free buffers hold; holds the rest and the callback. */
  private take(chunk: Buffer, callback: Callback): void {
    let rest = chunk
    while (rest.length > 0) {
      const memory = (this.current ??= this.takeBuffer())
      if (!memory) {
        this.held = { chunk: rest, callback }
        return
      }
      const copied = rest.copy(memory, this.filled)
      this.filled += copied
      rest = rest.subarray(copied)
      if (this.filled === memory.length) this.flush()
    }
    callback()
  }

  private takeBuffer(): Buffer | undefined {
    const memory = this.idle.pop()
    if (memory || this.allocated === BUFFER_COUNT) return memory
    this.allocated++
    // An ArrayBuffer of its own, so that a hashing thread could take it and give it back.
    return Buffer.from(new ArrayBuffer(this.bufferBytes))
  }

  private flush(): void {
    const memory = this.current as Buffer
    const length = this.filled
    const position = this.position
    this.current = undefined
    this.filled = 0
    this.position += length
    const written = writeFully(this.file as FileHandle, memory, length, position).catch(
      (error: unknown) => {
        throw new FileWriteError(this.filePath, error)
      }
    )
    // Buffers reach the hasher in file order, whatever order the writes finish in.
    const hashed = this.hashed
      .then(() => written)
      .then(() =>
        this.hasher.update(memory, length).catch((error: unknown) => {
          throw new FileWriteError(this.filePath, error, 'hash')
        })
      )
    this.hashed = hashed
    const tracked: Promise<void> = hashed
      .then(
        back => this.release(back),
        (error: unknown) => this.fail(error as FileWriteError)
      )
      .finally(() => this.inFlight.delete(tracked))
    this.inFlight.add(tracked)
  }

  private release(memory: Buffer): void {
    if (this.failure) return
    this.idle.push(memory)
    const held = this.held
    if (!held) return
    this.held = undefined
    this.take(held.chunk, held.callback)
  }

  private fail(error: Error): void {
    if (this.failure) return
    this.failure = error
    const held = this.held
    this.held = undefined
    held?.callback(error)
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  private async closeFile(): Promise<void> {
    const file = this.file
    this.file = undefined
    await file?.close()
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
