/**
 * The SHA-256 of a file written out of order (parallel ranges), computed in order as the written
 * prefix grows. Bytes that land exactly where the digest stands are hashed from memory as they
 * land; bytes that landed ahead of it (another range's) are read back from the file, from the
 * page cache, when the digest reaches them. No second full read at the end, no buffers held.
 */
import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'

const READ_BACK_BYTES = 1024 * 1024

export class OrderedHash {
  private readonly hash = createHash('sha256')
  /** Bytes hashed, from 0. */
  private hashed = 0
  /** Per piece: bytes landed, contiguous from its start. */
  private readonly landed: number[]
  private reading = false
  private failure: unknown
  private readonly buffer = Buffer.allocUnsafe(READ_BACK_BYTES)
  private done?: { resolve(sha256: string): void; reject(error: unknown): void }
  /** Bytes read back from the file rather than hashed as they landed. */
  readBack = 0

  constructor(
    private readonly file: FileHandle,
    readonly total: number,
    readonly pieceBytes: number
  ) {
    this.landed = new Array<number>(Math.ceil(total / pieceBytes)).fill(0)
  }

  /** Bytes of piece `index` on disk, from its start: where its next request resumes. */
  landedIn(index: number): number {
    return this.landed[index]
  }

  /** After `chunks` were written at `position`, all of them within piece `index`. */
  onLanded(index: number, position: number, chunks: readonly Buffer[], length: number): void {
    this.landed[index] += length
    if (!this.reading && position === this.hashed) {
      for (const chunk of chunks) this.hash.update(chunk)
      this.hashed += length
    }
    this.pump()
  }

  /** The digest, once every byte has landed and been hashed. */
  digest(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.done = { resolve, reject }
      this.pump()
    })
  }

  /** Hashes whatever has landed at the digest's position, reading it back, one read at a time. */
  private pump(): void {
    if (this.reading) return
    if (this.failure !== undefined) return void this.done?.reject(this.failure)
    if (this.hashed === this.total) return void this.done?.resolve(this.hash.digest('hex'))
    const piece = Math.floor(this.hashed / this.pieceBytes)
    const available = piece * this.pieceBytes + this.landed[piece]
    if (available <= this.hashed) return
    this.reading = true
    const length = Math.min(available - this.hashed, READ_BACK_BYTES)
    this.file.read(this.buffer, 0, length, this.hashed).then(
      ({ bytesRead }) => {
        this.hash.update(this.buffer.subarray(0, bytesRead))
        this.hashed += bytesRead
        this.readBack += bytesRead
        if (bytesRead === 0) this.failure = new Error('the file ended before the bytes written')
        this.reading = false
        this.pump()
      },
      (error: unknown) => {
        this.failure = error
        this.reading = false
        this.pump()
      }
    )
  }
}
