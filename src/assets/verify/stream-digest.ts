import { Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type * as zlib from 'node:zlib'
import { crc32 } from './crc32.js'

export interface Digest {
  /** CRC-32 of the bytes that came out. */
  crc: number
  /** How many bytes came out (at most `limit` + one chunk). */
  bytes: number
  /** Input bytes used; an inflater stops at the end of its stream and leaves the rest unread. */
  consumed: number
  /** More than `limit` bytes came out, so the digest stopped early. */
  overLimit: boolean
}

type Inflater = zlib.Gunzip | zlib.InflateRaw

/**
 * Streams `source` (inflated when an inflater is given) and keeps only a running CRC-32 and count,
 * so memory stays constant whatever the size. It stops once more than `limit` bytes come out: a
 * compression bomb costs no more time than the size the caller expects.
 */
export async function digestStream(
  source: Readable,
  inflater: Inflater | undefined,
  limit: number
): Promise<Digest> {
  let crc = 0
  let bytes = 0
  const overLimit = new Error(`more than ${limit} bytes`)
  const sink = new Writable({
    // Synchronous, so every chunk is counted by the time the inflater ends.
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (bytes > limit) return done(overLimit)
      crc = crc32(chunk, crc)
      done()
    }
  })
  const digest = (stopped: boolean): Digest => ({
    crc,
    bytes,
    consumed: inflater ? inflater.bytesWritten : bytes,
    overLimit: stopped
  })
  try {
    await (inflater ? pipeline(source, inflater, sink) : pipeline(source, sink))
  } catch (error) {
    if (error === overLimit) return digest(true)
    // An inflater that reaches the end of its stream with input left over ends its output early,
    // and the pipeline calls that a premature close; what was left is the caller's to judge.
    if (!(inflater?.readableEnded && isCode(error, 'ERR_STREAM_PREMATURE_CLOSE'))) throw error
  }
  return digest(false)
}

/** zlib's own message when `error` came from zlib (its codes start with Z_), else undefined. */
export function zlibProblem(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !code.startsWith('Z_')) return undefined
  return String((error as { message?: unknown }).message)
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code
}
