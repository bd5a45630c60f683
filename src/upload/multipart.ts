/**
 * A multipart/form-data body whose file part is a slice of a file on disk, streamed as it is
 * sent: the text fields, then the bytes read at their offset, with an exact Content-Length.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { READ_CHUNK_BYTES } from './digest.js'

export interface FileSlice {
  path: string
  /** Byte offset of the slice in the file. */
  start: number
  /** Its length in bytes (0 for an empty file). */
  length: number
}

export interface MultipartBody {
  headers: Record<string, string>
  /** A fresh stream of the whole body: one per try. */
  open(): Readable
}

/**
 * `fields` as text parts, then `file` as the part `fileField` named `fileName`. The name is
 * escaped as browsers escape it in FormData (", CR and LF as %22, %0D, %0A); other characters
 * go as UTF-8, which the service reads, so a name in any script stays what it is.
 */
export function multipartBody(
  fields: ReadonlyArray<[string, string]>,
  fileField: string,
  fileName: string,
  file: FileSlice
): MultipartBody {
  const boundary = `----aholo-task-action-${randomBytes(12).toString('hex')}`
  const head = Buffer.from(
    fields
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${value}\r\n`
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(fileField)}"; ` +
      `filename="${escapeName(fileName)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    'utf8'
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')
  return {
    headers: {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(head.length + file.length + tail.length)
    },
    open: () => Readable.from(parts(head, file, tail), { objectMode: false })
  }
}

async function* parts(head: Buffer, file: FileSlice, tail: Buffer): AsyncGenerator<Buffer> {
  yield head
  if (file.length > 0) {
    const stream = createReadStream(file.path, {
      start: file.start,
      end: file.start + file.length - 1,
      highWaterMark: READ_CHUNK_BYTES
    })
    let read = 0
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.length
      yield chunk
    }
    // A file cut shorter since it was hashed would send a body shorter than its Content-Length.
    if (read !== file.length) {
      throw new Error(
        `${file.path} changed while it was uploaded (${read} of ${file.length} bytes)`
      )
    }
  }
  yield tail
}

function escapeName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}
