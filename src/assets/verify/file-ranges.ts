import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { fail } from './result.js'
import { plural } from './text.js'

/** Large enough that a 100 MB file takes about a hundred reads. */
const STREAM_CHUNK = 1024 * 1024

/** Reads byte ranges of an open file whose size is known. */
export class FileRanges {
  constructor(
    private readonly file: FileHandle,
    readonly size: number
  ) {}

  /** The bytes at [position, position + length), or fewer where the file ends. */
  async read(position: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - position))
    const buffer = Buffer.alloc(wanted)
    let filled = 0
    while (filled < wanted) {
      const { bytesRead } = await this.file.read(buffer, filled, wanted - filled, position + filled)
      if (bytesRead === 0) break // the file shrank under us; callers see the short buffer
      filled += bytesRead
    }
    return buffer.subarray(0, filled)
  }

  /**
   * The bytes at [position, position + length) as a stream, for ranges too large to hold at once.
   * Not `FileHandle.createReadStream`: each of those leaves a listener on the handle, and a SOG's
   * entries, streamed one by one, would trip Node's leak warning.
   */
  stream(position: number, length: number): Readable {
    const end = Math.min(position + length, this.size)
    const read = (at: number): Promise<Buffer> => this.read(at, Math.min(STREAM_CHUNK, end - at))
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = position; at < end;) {
        const chunk = await read(at)
        if (chunk.length === 0) return
        at += chunk.length
        yield chunk
      }
    }
    return Readable.from(chunks(), { objectMode: false })
  }
}

/**
 * Relates a file's size to the size its own headers describe. `describer` names those headers,
 * e.g. "the PLY header"; `singular` picks the verb's form for it.
 */
export function checkExactSize(
  actual: number,
  expected: number,
  describer: string,
  singular: boolean
): void {
  if (actual < expected) {
    fail(`truncated: ${actual} bytes, ${describer} ${singular ? 'needs' : 'need'} ${expected}`)
  }
  if (actual > expected) {
    const accounts = singular ? 'accounts' : 'account'
    fail(
      `${plural(actual - expected, 'trailing byte')}: ${actual} bytes, ${describer} ${accounts} for ${expected}`
    )
  }
}
