/**
 * Reads a body as the server sent it: `Content-Encoding` decoded whether or not it was asked
 * for (issue 9: an unasked-for gzip answer is still a good answer), a UTF-8 BOM dropped, and
 * the decoded size capped so that a small compressed body cannot expand without bound.
 */
import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { NetworkError } from './network-error.js'

type Inflate = (buffer: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>

const gunzip = promisify(zlib.gunzip) as Inflate
const inflate = promisify(zlib.inflate) as Inflate
const inflateRaw = promisify(zlib.inflateRaw) as Inflate
const brotli = promisify(zlib.brotliDecompress) as Inflate

/** What API calls accept; downloads ask for `identity` themselves. */
export const ACCEPT_ENCODING = 'gzip, deflate, br'

const DECODERS: Record<string, (buffer: Buffer) => Inflate> = {
  gzip: () => gunzip,
  'x-gzip': () => gunzip,
  // "deflate" means zlib-wrapped, but some servers send raw deflate: the header tells them apart.
  deflate: buffer => (isZlibHeader(buffer) ? inflate : inflateRaw),
  br: () => brotli
}

/**
 * Undoes every coding named in `contentEncoding`, last applied first. Throws a NetworkError:
 * ETOOLARGE past `limit` decoded bytes, EENCODING for a coding it does not know (named in the
 * message), EDECODE for a body that does not decode.
 */
export async function decodeBody(
  raw: Buffer,
  contentEncoding: string | string[] | undefined,
  limit: number
): Promise<Buffer> {
  const codings = [contentEncoding ?? []]
    .flat()
    .flatMap(value => value.split(','))
    .map(value => value.trim().toLowerCase())
    .filter(value => value !== '' && value !== 'identity')
  const unknown = codings.filter(coding => !Object.hasOwn(DECODERS, coding))
  if (unknown.length > 0) {
    throw new NetworkError(
      `the response is in an unsupported Content-Encoding: ${unknown.join(', ')}`,
      'EENCODING'
    )
  }
  let body = raw
  for (const coding of codings.reverse()) {
    const decode = DECODERS[coding](body)
    try {
      // Output past the cap is never kept: zlib stops with ERR_BUFFER_TOO_LARGE.
      body = await decode(body, { maxOutputLength: Math.max(1, limit) })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new NetworkError(
          `the ${coding} response decodes to more than ${limit} bytes`,
          'ETOOLARGE'
        )
      }
      throw new NetworkError(
        `the ${coding} response does not decode: ${(error as Error).message}`,
        'EDECODE'
      )
    }
  }
  return body
}

/** UTF-8 text without the byte order mark some servers put first. */
export function utf8Text(body: Buffer): string {
  const text = body.toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** RFC 1950: compression method 8, and the first two bytes a multiple of 31. */
function isZlibHeader(buffer: Buffer): boolean {
  return buffer.length >= 2 && (buffer[0] & 0x0f) === 8 && buffer.readUInt16BE(0) % 31 === 0
}
