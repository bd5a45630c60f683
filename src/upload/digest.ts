/**
 * The file digests the upload service checks: lower-case hex MD5 of the whole file, read once as
 * a stream, so memory does not follow the file's size.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { cancellationOf } from '../errors.js'

export interface FileDigest {
  /** Lower-case hex, as the service wants it. */
  md5: string
  /** The bytes read, which is the size the upload declares. */
  bytes: number
}

/** Reads in 1 MiB slices: fewer calls into the hash than the stream's 64 KiB default. */
export const READ_CHUNK_BYTES = 1024 * 1024

/** The MD5 and size of the file at `path`, in one pass; rejects with the cancel's reason. */
export async function md5File(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const hash = createHash('md5')
  let bytes = 0
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          bytes += chunk.length
          hash.update(chunk)
        }
      },
      { signal }
    )
  } catch (error) {
    if (signal?.aborted) throw cancellationOf(signal)
    throw error
  }
  return { md5: hash.digest('hex'), bytes }
}
