/**
 * The end of a download's pipeline: a `stream.Writable` that writes a new file and computes its
 * SHA-256 on the way, in one pass over the bytes.
 *
 * Node's HTTP client hands over 64 KiB chunks. They are copied into a few large buffers; a full
 * buffer is queued for one positioned write (libuv's thread pool, one write at a time) and
 * hashed here meanwhile, so writing overlaps hashing and filling the next buffer. Memory is those buffers
 * whatever the file size: while every buffer is being written, `_write` holds its callback and
 * the pipeline pauses the socket.
 *
 * The hash stays on this thread: measured side by side (1 GiB from the loopback simulator, ten
 * interleaved pairs), a worker thread that hashed the buffers was no faster (best 1.57 s for
 * both) and cost about 25% more CPU and 5 MB more memory, for a thread and a round trip of every
 * buffer between threads.
 */
import { createHash } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { errorMessage } from '../errors.js'

/** The file could not be created or written: another try would meet the same disk. */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError'

  constructor(
    readonly filePath: string,
    error: unknown
  ) {
    super(`cannot write ${filePath}: ${errorMessage(error)}`, { cause: error })
  }
}

export interface SinkResult {
  bytes: number
  sha256: string
}

export interface FileSinkOptions {
  /** The size the server announced, if any: a small file gets small buffers. */
  expectedBytes?: number
}

/**
 * Four buffers of 2 MiB: one filling, the others being written. Measured on 1 GiB
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
  private readonly hash = createHash('sha256')
  private readonly bufferBytes: number
  private readonly idle: Buffer[] = []
  private allocated = 0
  private current: Buffer | undefined
  private filled = 0
  private position = 0
  private readonly inFlight = new Set<Promise<void>>()
  /** The last write queued; after a failure the ones queued behind it are skipped. */
  private writing: Promise<void> = Promise.resolve()
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
        await this.closeFile()
        this.result = { bytes: this.position, sha256: this.hash.digest('hex') }
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
      .then(() => this.closeFile())
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
    // Not from Buffer's shared pool: these live as long as the download.
    return Buffer.allocUnsafeSlow(this.bufferBytes)
  }

  private flush(): void {
    const memory = this.current as Buffer
    const length = this.filled
    const position = this.position
    this.current = undefined
    this.filled = 0
    this.position += length
    // One write at a time, in file order: concurrent writes to one file contend for its inode
    // lock in the kernel, which doubled the system time of a 1 GiB download. The hash is
    // computed here while the pool writes the previous buffer.
    const written = (this.writing = this.writing.then(() =>
      writeFully(this.file as FileHandle, memory, length, position)
    ))
    this.hash.update(memory.subarray(0, length))
    const tracked: Promise<void> = written
      .then(
        () => this.release(memory),
        (error: unknown) => this.fail(new FileWriteError(this.filePath, error))
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
