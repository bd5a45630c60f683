import * as zlib from 'node:zlib'

/**
 * CRC-32 as gzip and ZIP use it (polynomial 0xedb88320). Node's native `zlib.crc32` arrived in
 * 20.15 and 22.2, and the action accepts any Node 20, so older runtimes get the table below. The
 * namespace import matters: a named import of a missing export would fail at load time.
 */

const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** The CRC-32 of `bytes`, continuing from `previous`, the CRC-32 of what came before them. */
export function crc32Table(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
  return ~crc >>> 0
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

export const crc32: (bytes: Uint8Array, previous?: number) => number =
  typeof native === 'function' ? (bytes, previous = 0) => native(bytes, previous) : crc32Table

export const hex32 = (value: number): string => value.toString(16).padStart(8, '0')
