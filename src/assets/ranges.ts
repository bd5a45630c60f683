/**
 * HTTP byte ranges for resumed and parallel downloads (RFC 9110 §14). Pure: headers in, what
 * they mean out.
 */
import type { IncomingHttpHeaders } from 'node:http'

export interface ContentRange {
  /** First byte, inclusive. */
  start: number
  /** Last byte, inclusive. */
  end: number
  /** The whole file; undefined for `*`. */
  total: number | undefined
}

/** `bytes 100-199/1000`, or undefined when absent or unreadable. */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '')
  if (!match) return undefined
  const [start, end] = [Number(match[1]), Number(match[2])]
  const total = match[3] === '*' ? undefined : Number(match[3])
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined
  if (total !== undefined && (!Number.isSafeInteger(total) || end >= total)) return undefined
  return { start, end, total }
}

/**
 * What `If-Range` can carry for this answer: a strong ETag (a weak one may not be used there),
 * else Last-Modified; undefined when there is neither, and resuming would be a guess.
 */
export function validatorOf(headers: IncomingHttpHeaders): string | undefined {
  const etag = headers.etag?.trim()
  if (etag && !etag.startsWith('W/')) return etag
  return headers['last-modified']?.trim() || undefined
}

/** Whether the answer says the server takes byte ranges for this file. */
export function acceptsRanges(headers: IncomingHttpHeaders): boolean {
  return headers['accept-ranges']?.trim().toLowerCase() === 'bytes'
}

/**
 * Why a 206 does not continue what was asked (`bytes=<from>-<to>`, `to` undefined for the rest),
 * or undefined when it does: it must start at `from`, end where asked (or at the end of the
 * file), and name the total already known.
 */
export function rangeMismatch(
  header: string | undefined,
  asked: { from: number; to?: number; total?: number }
): string | undefined {
  const range = parseContentRange(header)
  const shown = header === undefined ? 'no Content-Range' : `Content-Range '${header}'`
  const wanted = `bytes=${asked.from}-${asked.to ?? ''}`
  if (!range) return `${shown} in answer to ${wanted}`
  const total = range.total ?? asked.total
  const end = asked.to ?? (total === undefined ? range.end : total - 1)
  if (range.start !== asked.from || range.end !== end) return `${shown} in answer to ${wanted}`
  if (asked.total !== undefined && range.total !== undefined && range.total !== asked.total) {
    return `${shown}: the file is now ${range.total} bytes, not ${asked.total}`
  }
  return undefined
}
