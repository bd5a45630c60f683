import * as zlib from 'node:zlib'
import { fail } from './result.js'
import { errorMessage } from '../../errors.js'

/** Deflate expands at most ~1032:1, so this never trips on a 64 KiB prefix yet bounds memory. */
const INFLATE_OUTPUT_LIMIT = 80 * 1024 * 1024

/** Inflates as much of `input` as it holds: a stream cut short gives what precedes the cut, not an error. */
export function inflatePrefix(input: Buffer, kind: 'gzip' | 'raw'): Buffer {
  const options = {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    maxOutputLength: INFLATE_OUTPUT_LIMIT
  }
  try {
    return kind === 'gzip' ? zlib.gunzipSync(input, options) : zlib.inflateRawSync(input, options)
  } catch (error) {
    fail(`corrupt compressed data: ${errorMessage(error)}`)
  }
}
