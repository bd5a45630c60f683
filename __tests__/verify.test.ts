import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, truncate, writeFile, open } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import * as zlib from 'node:zlib'
import { AssetVerificationError, verifyAsset, type AssetInfo } from '../src/assets/verify.js'
import { crc32 as verifierCrc32, crc32Table } from '../src/assets/verify/crc32.js'
import type { AssetFormat } from '../src/domain/formats.js'

const FIXTURES = fileURLToPath(new URL('../__fixtures__/splats/', import.meta.url))
const fixture = (name: string): Promise<Buffer> => readFile(path.join(FIXTURES, name))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'verify-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

let written = 0
/** Writes bytes to a fresh file in the temp dir, named with the given extension. */
async function place(bytes: Buffer | string, extension: string): Promise<string> {
  const file = path.join(dir, `case-${++written}.${extension}`)
  await writeFile(file, bytes)
  return file
}

async function verifyBytes(bytes: Buffer | string, format: AssetFormat): Promise<AssetInfo> {
  return verifyAsset(await place(bytes, format), format)
}

/** The reason verification gives for these bytes; fails the test if verification passes. */
async function reasonFor(bytes: Buffer | string, format: AssetFormat): Promise<string> {
  try {
    await verifyBytes(bytes, format)
  } catch (error) {
    expect(error).toBeInstanceOf(AssetVerificationError)
    const { reason, message } = error as AssetVerificationError
    expect(message).toBe(reason)
    return reason
  }
  throw new Error('verification passed, but a failure was expected')
}

const concat = (...parts: (Buffer | string)[]): Buffer =>
  Buffer.concat(parts.map(part => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)))

/** A copy of `bytes` with `patch` written at `offset`. */
function patched(bytes: Buffer, offset: number, patch: Buffer | string): Buffer {
  const copy = Buffer.from(bytes)
  concat(patch).copy(copy, offset)
  return copy
}

function replaceText(bytes: Buffer, from: string, to: string): Buffer {
  const at = bytes.indexOf(from, 0, 'latin1')
  if (at < 0) throw new Error(`"${from}" not in the fixture`)
  return concat(bytes.subarray(0, at), to, bytes.subarray(at + from.length))
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32LE(value)
  return bytes
}

/** A binary little-endian PLY with float properties and zeroed rows. */
function plyHeader(count: number, properties: string[]): string {
  const lines = properties.map(name => `property float ${name}`).join('\n')
  return `ply\nformat binary_little_endian 1.0\nelement vertex ${count}\n${lines}\nend_header\n`
}
const fRest = (count: number): string[] => Array.from({ length: count }, (_, i) => `f_rest_${i}`)
const GAUSSIAN =
  'x y z f_dc_0 f_dc_1 f_dc_2 opacity scale_0 scale_1 scale_2 rot_0 rot_1 rot_2 rot_3'.split(' ')
const makePly = (count: number, properties: string[]): Buffer =>
  concat(plyHeader(count, properties), Buffer.alloc(count * properties.length * 4))

/** An SPZ v1-v3 file: a gzip stream of the 16-byte header and zeroed attribute blocks. */
function makeGzipSpz(
  version: number,
  count: number,
  shDegree: number,
  flags = 0,
  extra = 0
): Buffer {
  const perSplat =
    (version === 1 ? 6 : 9) + 1 + 3 + 3 + (version >= 3 ? 4 : 3) + 3 * [0, 3, 8, 15, 24][shDegree]
  const header = concat('NGSP', u32(version), u32(count), Buffer.from([shDegree, 12, flags, 0]))
  return zlib.gzipSync(concat(header, Buffer.alloc(count * perSplat + extra)))
}

const table: [string, AssetFormat, number, number, string][] = [
  ['ply/input_1k_sh0.ply', 'ply', 1000, 0, 'ply-3dgs'],
  ['ply/st_1k_sh3.ply', 'ply', 1000, 3, 'ply-3dgs'],
  ['ply/st_1k_sh3.compressed.ply', 'ply', 1000, 3, 'ply-compressed'],
  ['spz/v3_1k_sh3.spz', 'spz', 1000, 3, 'spz-v3'],
  ['spz/v4_1k_sh0.spz', 'spz', 1000, 0, 'spz-v4'],
  ['spz/v4_1k_sh3.spz', 'spz', 1000, 3, 'spz-v4'],
  ['sog/bundled_1k_sh0.sog', 'sog', 1000, 0, 'sog-v2'],
  ['sog/bundled_1k_sh3.sog', 'sog', 1000, 3, 'sog-v2']
]

describe('the real fixtures', () => {
  test.each(table)(
    '%s is a %s file with %d splats at SH degree %d',
    async (name, format, count, degree, version) => {
      const info = await verifyAsset(path.join(FIXTURES, name), format)
      expect(info).toEqual({ format, gaussians: count, shDegree: degree, version })
    }
  )

  test('an HTML 403 page saved as .spz is named as an HTML page, with its title', async () => {
    const failure = verifyAsset(path.join(FIXTURES, 'bad/html_error.spz'), 'spz')
    await expect(failure).rejects.toThrow(AssetVerificationError)
    await expect(failure).rejects.toThrow(
      'an HTML page, not a splat file (starts with "<!DOCTYPE html>\\n<html><head><title>403 F"; title "403 Forbidden")'
    )
  })

  test('an SPZ v4 file cut at 20000 bytes is reported as truncated, with the size it needs', async () => {
    await expect(
      verifyAsset(path.join(FIXTURES, 'bad/trunc_v4_1k_sh3.spz'), 'spz')
    ).rejects.toThrow('truncated: 20000 bytes, the SPZ v4 header and table of contents need 38133')
  })
})

const samples: [string, string, AssetFormat][] = [
  ['plain PLY', 'ply/st_1k_sh3.ply', 'ply'],
  ['compressed PLY', 'ply/st_1k_sh3.compressed.ply', 'ply'],
  ['SPZ v3 (gzip)', 'spz/v3_1k_sh3.spz', 'spz'],
  ['SPZ v4', 'spz/v4_1k_sh3.spz', 'spz'],
  ['SOG', 'sog/bundled_1k_sh3.sog', 'sog']
]

describe.each(samples)('damage that every format detects: %s', (_label, name, format) => {
  test('cut short by one byte, it is truncated', async () => {
    const bytes = await fixture(name)
    expect(await reasonFor(bytes.subarray(0, -1), format)).toMatch(/^truncated/)
  })

  test('cut in half, it is truncated', async () => {
    const bytes = await fixture(name)
    expect(await reasonFor(bytes.subarray(0, bytes.length >> 1), format)).toMatch(/^truncated/)
  })

  test('with one junk byte appended, it is rejected for the extra byte', async () => {
    const bytes = await fixture(name)
    expect(await reasonFor(concat(bytes, '\n'), format)).toMatch(/trailing byte|bytes appended/)
  })

  test('an HTML error body under its name is named as an HTML page', async () => {
    const body =
      '<!doctype html><html><head><title>502 Bad Gateway</title></head><body></body></html>'
    expect(await reasonFor(body, format)).toBe(
      `an HTML page, not a splat file (starts with "${body.slice(0, 40)}"; title "502 Bad Gateway")`
    )
  })

  test('a JSON API error body under its name shows the code and message', async () => {
    expect(await reasonFor('{"c":"500","m":"internal error","d":null}', format)).toBe(
      'a JSON API response, not a splat file (c "500", m "internal error")'
    )
  })

  test('checked as another format, the bytes and the name disagree', async () => {
    const other: AssetFormat = format === 'ply' ? 'spz' : format === 'spz' ? 'sog' : 'ply'
    expect(await reasonFor(await fixture(name), other)).toBe(
      `the bytes say ${format.toUpperCase()} but the file name says .${other}`
    )
  })
})

describe('sniffing', () => {
  test('an empty file is reported as empty', async () => {
    expect(await reasonFor('', 'ply')).toBe('empty file (0 bytes)')
  })

  test('unknown binary bytes are shown in hex', async () => {
    const bytes = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x10, 0x20, 0x30, 0x40])
    expect(await reasonFor(bytes, 'spz')).toBe(
      'not a SPZ file or any splat format: its first bytes are 00 01 fe ff 10 20 30 40'
    )
  })

  test('unknown text is quoted with its control characters escaped', async () => {
    expect(await reasonFor('Forbidden\r\n', 'sog')).toBe(
      'not a SOG file or any splat format: the bytes are text, starting with "Forbidden\\r\\n"'
    )
  })

  test('an S3-style XML error shows its code and message', async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
    expect(await reasonFor(body, 'spz')).toMatch(
      /^an XML document, not a splat file \(starts with "<\?xml .*; code "AccessDenied", message "Request has expired"\)$/
    )
  })

  test('a JSON document that is not an API error is quoted', async () => {
    expect(await reasonFor('{"error":"not found"}', 'ply')).toBe(
      'a JSON document, not a splat file (starts with "{\\"error\\":\\"not found\\"}")'
    )
  })

  test('a SOG meta.json downloaded on its own is named as such', async () => {
    const meta = JSON.stringify({ version: 2, count: 1, means: {}, quats: {} })
    expect(await reasonFor(meta, 'sog')).toMatch(/^a SOG meta.json on its own/)
  })

  test('a missing file fails with a verification error, not a raw I/O error', async () => {
    await expect(verifyAsset(path.join(dir, 'no-such-file.ply'), 'ply')).rejects.toThrow(
      /^cannot open the file: ENOENT/
    )
  })
})

describe('PLY', () => {
  test('a wrong magic line is not taken for PLY', async () => {
    const bytes = patched(await fixture('ply/input_1k_sh0.ply'), 0, 'plx')
    expect(await reasonFor(bytes, 'ply')).toBe(
      'not a PLY file or any splat format: the bytes are text, starting with "plx\\nformat binary_little"'
    )
  })

  test('ASCII and big-endian PLY are refused by name', async () => {
    const bytes = await fixture('ply/input_1k_sh0.ply')
    expect(await reasonFor(replaceText(bytes, 'binary_little_endian', 'ascii'), 'ply')).toMatch(
      /^ASCII PLY is not supported/
    )
    expect(
      await reasonFor(replaceText(bytes, 'binary_little_endian', 'binary_big_endian'), 'ply')
    ).toMatch(/^big-endian PLY is not supported/)
    expect(
      await reasonFor(replaceText(bytes, 'little_endian 1.0', 'little_endian 2.0'), 'ply')
    ).toMatch(/^unsupported PLY format "binary_little_endian 2.0"/)
  })

  test('a vertex count too high for the data says truncated, too low says trailing bytes', async () => {
    const bytes = await fixture('ply/input_1k_sh0.ply')
    expect(
      await reasonFor(replaceText(bytes, 'element vertex 1000', 'element vertex 1001'), 'ply')
    ).toBe(
      'truncated: 68414 bytes, the PLY header (414 bytes + 1001 vertex × 68 bytes) needs 68482'
    )
    expect(
      await reasonFor(replaceText(bytes, 'element vertex 1000', 'element vertex 0999'), 'ply')
    ).toBe(
      '68 trailing bytes: 68414 bytes, the PLY header (414 bytes + 999 vertex × 68 bytes) accounts for 68346'
    )
  })

  test('a list property is refused, since it makes the size depend on the data', async () => {
    const bytes = replaceText(
      await fixture('ply/input_1k_sh0.ply'),
      'end_header',
      'element face 0\nproperty list uchar int vertex_indices\nend_header'
    )
    expect(await reasonFor(bytes, 'ply')).toMatch(
      /^list property "vertex_indices" in the face element/
    )
  })

  test('a header without end_header is truncated', async () => {
    expect(
      await reasonFor('ply\nformat binary_little_endian 1.0\nelement vertex 10\n', 'ply')
    ).toMatch(/^truncated: \d+ bytes and the PLY header has no "end_header" line$/)
  })

  test('SH degree follows from the number of f_rest properties', async () => {
    for (const [coefficients, degree] of [
      [0, 0],
      [9, 1],
      [24, 2],
      [45, 3]
    ]) {
      const info = await verifyBytes(makePly(10, [...GAUSSIAN, ...fRest(coefficients)]), 'ply')
      expect(info).toEqual({ format: 'ply', gaussians: 10, version: 'ply-3dgs', shDegree: degree })
    }
  })

  test('an f_rest count that is no SH degree is refused', async () => {
    expect(await reasonFor(makePly(10, [...GAUSSIAN, ...fRest(12)]), 'ply')).toBe(
      '12 f_rest properties in the vertex element; SH degrees 0-3 have 0, 9, 24 or 45'
    )
  })

  test('a point cloud without Gaussian properties is not a splat PLY', async () => {
    expect(await reasonFor(makePly(10, ['x', 'y', 'z', 'red']), 'ply')).toBe(
      'not a Gaussian-splat PLY: the vertex element lacks f_dc_0, f_dc_1, f_dc_2, opacity, scale_0, scale_1, scale_2, rot_0, rot_1, rot_2, rot_3'
    )
  })

  test('a compressed PLY without enough chunk rows is refused', async () => {
    const fewer = replaceText(
      await fixture('ply/st_1k_sh3.compressed.ply'),
      'element chunk 4',
      'element chunk 3'
    )
    expect(await reasonFor(fewer, 'ply')).toMatch(/^72 trailing bytes/)
    // A 72-byte element in place of the lost chunk row keeps the size rule satisfied.
    const padded = replaceText(fewer, 'end_header', 'element pad 72\nproperty uchar p\nend_header')
    expect(await reasonFor(padded, 'ply')).toBe(
      'compressed PLY with 1000 splats needs 4 chunk rows, the header has 3'
    )
  })
})

describe('SPZ v1-v3 (gzip)', () => {
  test.each([
    [1, 0],
    [2, 1],
    [3, 3],
    [3, 4]
  ])('an SPZ v%d file at SH degree %d gives its count and degree', async (version, degree) => {
    expect(await verifyBytes(makeGzipSpz(version, 100, degree), 'spz')).toEqual({
      format: 'spz',
      gaussians: 100,
      version: `spz-v${version}`,
      shDegree: degree
    })
  })

  test('with the extensions flag, data beyond the attributes is allowed', async () => {
    expect((await verifyBytes(makeGzipSpz(3, 100, 0, 0x2, 64), 'spz')).gaussians).toBe(100)
  })

  test('without the extensions flag, extra data means the sizes disagree', async () => {
    expect(await reasonFor(makeGzipSpz(3, 100, 0, 0, 64), 'spz')).toBe(
      'truncated or with bytes appended: the SPZ v3 header (100 splats, SH degree 0) means 2016 bytes uncompressed, but the gzip length field at the end of the file reads 2080'
    )
  })

  test('an unknown version inside the gzip stream is refused', async () => {
    const inner = zlib.gunzipSync(await fixture('spz/v3_1k_sh3.spz'))
    expect(await reasonFor(zlib.gzipSync(patched(inner, 4, u32(7))), 'spz')).toBe(
      'unsupported SPZ version 7'
    )
  })

  test('a wrong magic inside the gzip stream is not SPZ', async () => {
    const inner = zlib.gunzipSync(await fixture('spz/v3_1k_sh3.spz'))
    expect(await reasonFor(zlib.gzipSync(patched(inner, 0, 'NGSX')), 'spz')).toMatch(
      /^gzip data that is not SPZ: it inflates to "NGSX/
    )
  })

  test('SH degree 5 is refused', async () => {
    const inner = zlib.gunzipSync(makeGzipSpz(3, 10, 0))
    expect(await reasonFor(zlib.gzipSync(patched(inner, 12, Buffer.from([5]))), 'spz')).toBe(
      'SPZ header gives SH degree 5; SPZ allows 0-4'
    )
  })

  test('a gzip stream cut in the middle is truncated', async () => {
    const bytes = await fixture('spz/v3_1k_sh3.spz')
    expect(await reasonFor(bytes.subarray(0, 20000), 'spz')).toBe(
      `truncated or with bytes appended: the SPZ v3 header (1000 splats, SH degree 3) means 65016 bytes uncompressed, but the gzip length field at the end of the file reads ${bytes.readUInt32LE(19996)}`
    )
  })

  test('a gzip stream cut inside the SPZ header is truncated', async () => {
    const bytes = zlib.gzipSync(Buffer.from('NGSP\u0003\u0000'), { level: 0 })
    expect(await reasonFor(bytes.subarray(0, 10 + 5 + 6), 'spz')).toBe(
      'truncated: 21 bytes, and the gzip data ends inside the 16-byte SPZ header'
    )
  })

  test('corrupt deflate data is reported as corrupt', async () => {
    const bytes = patched(await fixture('spz/v3_1k_sh3.spz'), 10, Buffer.from([0xff]))
    expect(await reasonFor(bytes, 'spz')).toMatch(/^corrupt compressed data: /)
  })

  test('a gzip header with another compression method is refused', async () => {
    const bytes = patched(await fixture('spz/v3_1k_sh3.spz'), 2, Buffer.from([7]))
    expect(await reasonFor(bytes, 'spz')).toBe(
      'not a valid gzip stream: compression method 7, gzip uses 8 (deflate)'
    )
  })
})

describe('SPZ v4', () => {
  const TOC = 32

  test('a wrong magic is not taken for SPZ, and the bytes are shown', async () => {
    const bytes = patched(await fixture('spz/v4_1k_sh3.spz'), 3, 'X')
    expect(await reasonFor(bytes, 'spz')).toBe(
      'not a SPZ file or any splat format: its first bytes are 4e 47 53 58 04 00 00 00 e8 03 00 00 03 0c 00 06'
    )
  })

  test('an unknown version is refused', async () => {
    const bytes = patched(await fixture('spz/v4_1k_sh3.spz'), 4, u32(5))
    expect(await reasonFor(bytes, 'spz')).toBe('unsupported SPZ version 5')
  })

  test('an uncompressed v2 stream is named', async () => {
    const bytes = patched(await fixture('spz/v4_1k_sh3.spz'), 4, u32(2))
    expect(await reasonFor(bytes, 'spz')).toBe(
      'an uncompressed SPZ v2 stream: SPZ v1-v3 files are gzip-compressed'
    )
  })

  test('a corrupted compressed size in the table of contents breaks the size rule', async () => {
    const bytes = await fixture('spz/v4_1k_sh3.spz')
    const grown = patched(bytes, TOC, u32(bytes.readUInt32LE(TOC) + 1))
    expect(await reasonFor(grown, 'spz')).toBe(
      'truncated: 38133 bytes, the SPZ v4 header and table of contents need 38134'
    )
    const absurd = patched(bytes, TOC + 4, u32(0xffffffff))
    expect(await reasonFor(absurd, 'spz')).toMatch(
      /^impossible stream 1 \(positions\)'s compressed size: \d+ bytes$/
    )
  })

  test('an uncompressed size that does not match the splat count is refused', async () => {
    const bytes = patched(await fixture('spz/v4_1k_sh3.spz'), TOC + 3 * 16 + 8, u32(2999))
    expect(await reasonFor(bytes, 'spz')).toBe(
      'the SPZ v4 table of contents gives stream 4 (scales) 2999 bytes uncompressed; 1000 splats need 3000'
    )
  })

  test('a stream count that does not fit the SH degree is refused', async () => {
    const bytes = patched(await fixture('spz/v4_1k_sh3.spz'), 15, Buffer.from([5]))
    expect(await reasonFor(bytes, 'spz')).toBe(
      'the SPZ v4 header gives 5 streams; SH degree 3 needs 6'
    )
  })

  test('a stream that does not start with the Zstandard magic is refused', async () => {
    const bytes = await fixture('spz/v4_1k_sh3.spz')
    const secondStream = TOC + 6 * 16 + bytes.readUInt32LE(TOC)
    expect(await reasonFor(patched(bytes, secondStream, 'junk'), 'spz')).toBe(
      `SPZ v4 stream 2 (alphas) at byte ${secondStream} is not a Zstandard frame (starts with "junk")`
    )
  })

  test('a file too short for the header is truncated', async () => {
    const bytes = await fixture('spz/v4_1k_sh3.spz')
    expect(await reasonFor(bytes.subarray(0, 20), 'spz')).toBe(
      'truncated: 20 bytes, the SPZ v4 header alone needs 32'
    )
    expect(await reasonFor(bytes.subarray(0, 100), 'spz')).toBe(
      'truncated: 100 bytes, the SPZ v4 header and table of contents alone need 128'
    )
  })
})

interface ZipItem {
  name: string
  data: Buffer
}

/** The entries of a ZIP whose entries are all stored, read through its central directory. */
function unzipStored(zip: Buffer): ZipItem[] {
  const eocd = zip.length - 22
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const items: ZipItem[] = []
  for (let i = 0; i < count; i++) {
    const size = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    const local = zip.readUInt32LE(at + 42)
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    items.push({ name, data: zip.subarray(start, start + size) })
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return items
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/**
 * A plain ZIP with sizes in the local headers; `deflate` names the entries to compress, and
 * `junk` gives bytes to append to an entry's compressed data, inside its entry.
 */
function zip(items: ZipItem[], deflate: string[] = [], junk: Record<string, Buffer> = {}): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const { name, data } of items) {
    const method = deflate.includes(name) ? 8 : 0
    const stored = concat(method === 8 ? zlib.deflateRawSync(data) : data, junk[name] ?? '')
    const fields = Buffer.alloc(26)
    fields.writeUInt16LE(20, 0) // version needed
    fields.writeUInt16LE(method, 4)
    fields.writeUInt32LE(crc32(data), 10)
    fields.writeUInt32LE(stored.length, 14)
    fields.writeUInt32LE(data.length, 18)
    fields.writeUInt16LE(Buffer.byteLength(name), 22)
    const local = concat(u32(0x04034b50), fields, name, stored)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    fields.copy(central, 6, 0, 26)
    central.writeUInt32LE(offset, 42)
    centrals.push(concat(central, name))
    locals.push(local)
    offset += local.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(items.length, 8)
  end.writeUInt16LE(items.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

describe('SOG', () => {
  const SOG = 'sog/bundled_1k_sh3.sog'

  test('a bundle whose meta.json is deflated is read through the local header', async () => {
    const items = unzipStored(await fixture(SOG))
    const rebuilt = zip(items, ['meta.json'])
    expect(await verifyBytes(rebuilt, 'sog')).toEqual({
      format: 'sog',
      gaussians: 1000,
      version: 'sog-v2',
      shDegree: 3
    })
  })

  test('a bundle whose images are deflated is checked the same way', async () => {
    const items = unzipStored(await fixture(SOG))
    const rebuilt = zip(
      items,
      items.map(item => item.name)
    )
    expect((await verifyBytes(rebuilt, 'sog')).gaussians).toBe(1000)
  })

  test('a version 1 meta.json gives the count from means.shape and the degree from shN.shape', async () => {
    const items = unzipStored(await fixture(SOG))
    const v2 = JSON.parse(items.find(item => item.name === 'meta.json')!.data.toString())
    const v1 = {
      means: { shape: [1000, 3], mins: v2.means.mins, maxs: v2.means.maxs, files: v2.means.files },
      scales: { shape: [1000, 3], files: v2.scales.files },
      quats: { shape: [1000, 4], encoding: 'quaternion_packed', files: v2.quats.files },
      sh0: { shape: [1000, 1, 4], files: v2.sh0.files },
      shN: { shape: [1000, 45], files: v2.shN.files }
    }
    const rebuilt = zip(
      items.map(item =>
        item.name === 'meta.json'
          ? { name: item.name, data: Buffer.from(JSON.stringify(v1)) }
          : item
      )
    )
    expect(await verifyBytes(rebuilt, 'sog')).toEqual({
      format: 'sog',
      gaussians: 1000,
      version: 'sog-v1',
      shDegree: 3
    })
  })

  test('a wrong local-header magic is not taken for a SOG bundle', async () => {
    const bytes = patched(await fixture(SOG), 3, Buffer.from([5]))
    expect(await reasonFor(bytes, 'sog')).toMatch(
      /^not a SOG file or any splat format: its first bytes are 50 4b 03 05/
    )
  })

  test('meta.json naming a file the bundle lacks is refused', async () => {
    const items = unzipStored(await fixture(SOG)).filter(item => item.name !== 'scales.webp')
    expect(await reasonFor(zip(items), 'sog')).toBe(
      'meta.json names "scales.webp", which is not in the SOG bundle'
    )
  })

  test('a bundle without meta.json is refused', async () => {
    const items = unzipStored(await fixture(SOG)).filter(item => item.name !== 'meta.json')
    expect(await reasonFor(zip(items), 'sog')).toBe('no meta.json in the SOG bundle')
  })

  test('a meta.json of another version is refused', async () => {
    const items = unzipStored(await fixture(SOG)).map(item =>
      item.name === 'meta.json'
        ? { ...item, data: replaceText(item.data, '"version":2', '"version":3') }
        : item
    )
    expect(await reasonFor(zip(items), 'sog')).toBe('unsupported SOG meta.json version 3')
  })

  test('a WebP whose RIFF size disagrees with its entry is damaged', async () => {
    const bytes = await fixture(SOG)
    const start = bytes.indexOf('quats.webp', 0, 'latin1') + 'quats.webp'.length
    expect(bytes.toString('latin1', start, start + 4)).toBe('RIFF')
    const damaged = patched(bytes, start + 4, u32(bytes.readUInt32LE(start + 4) - 2))
    expect(await reasonFor(damaged, 'sog')).toBe(
      '"quats.webp" is damaged: its WebP header says 3382 bytes, the bundle holds 3384'
    )
  })

  test('an image with fewer pixels than splats is refused', async () => {
    const bytes = await fixture(SOG)
    const start = bytes.indexOf('means_l.webp', 0, 'latin1') + 'means_l.webp'.length
    // VP8L: 14 bits of width - 1, then 14 bits of height - 1; 16 x 16 is 256 pixels.
    const damaged = patched(
      bytes,
      start + 21,
      u32(15 | (15 << 14) | (bytes.readUInt32LE(start + 21) & 0xf0000000))
    )
    expect(await reasonFor(damaged, 'sog')).toBe(
      '"means_l.webp" is 16×16 = 256 pixels, fewer than the 1000 splats'
    )
  })

  test('an image that is not a WebP is refused', async () => {
    const items = unzipStored(await fixture(SOG)).map(item =>
      item.name === 'sh0.webp'
        ? { ...item, data: concat('\x89PNG\r\n\x1a\n', item.data.subarray(8)) }
        : item
    )
    expect(await reasonFor(zip(items), 'sog')).toMatch(
      /^"sh0.webp" is not a WebP image \(starts with "\\x89PNG/
    )
  })

  test('a ZIP64 archive is refused by name', async () => {
    const bytes = await fixture(SOG)
    const zip64 = patched(bytes, bytes.length - 22 + 16, u32(0xffffffff))
    expect(await reasonFor(zip64, 'sog')).toBe(
      'a ZIP64 archive; SOG bundles are plain ZIP files, and ZIP64 is not supported'
    )
  })

  test('a central directory offset that does not meet the end record is corrupt', async () => {
    const bytes = await fixture(SOG)
    const at = bytes.length - 22 + 16
    expect(await reasonFor(patched(bytes, at, u32(bytes.readUInt32LE(at) - 1)), 'sog')).toMatch(
      /^corrupt ZIP: the central directory \(\d+ bytes at \d+\) does not end where the end record starts/
    )
  })
})

describe('deep verification: the checksums SPZ v1-v3 and SOG carry', () => {
  const SPZ = 'spz/v3_1k_sh3.spz'
  const SOG = 'sog/bundled_1k_sh3.sog'
  /** The fixture's gzip header has no optional fields: deflate data runs from byte 10 to the trailer. */
  const DEFLATE_START = 10

  const flipped = (bytes: Buffer, offset: number): Buffer =>
    patched(bytes, offset, Buffer.from([bytes[offset] ^ 0x01]))

  async function headerOnly(bytes: Buffer, format: AssetFormat): Promise<AssetInfo> {
    return verifyAsset(await place(bytes, format), format, { deep: false })
  }

  test('CRC-32: the table used where Node lacks zlib.crc32 gives the standard values, in pieces too', () => {
    const check = Buffer.from('123456789')
    expect(crc32Table(check)).toBe(0xcbf43926)
    expect(crc32Table(check.subarray(4), crc32Table(check.subarray(0, 4)))).toBe(0xcbf43926)
    expect(verifierCrc32(check)).toBe(0xcbf43926)
    expect(crc32Table(Buffer.alloc(0))).toBe(0)
  })

  test.each(table)('%s passes deep and header-only checks alike', async (name, format) => {
    const file = path.join(FIXTURES, name)
    expect(await verifyAsset(file, format, { deep: false })).toEqual(
      await verifyAsset(file, format)
    )
  })

  test('a stored (level 0) gzip SPZ v3 with one data byte flipped fails on the gzip CRC-32 alone', async () => {
    const inner = zlib.gunzipSync(makeGzipSpz(3, 100, 3))
    const stored = zlib.gzipSync(inner, { level: 0 })
    // Stored blocks copy bytes as they are: the flip changes the output, never the structure.
    const damaged = flipped(stored, stored.length >> 1)
    expect(damaged.length).toBe(stored.length)
    expect(await headerOnly(damaged, 'spz')).toMatchObject({ gaussians: 100 })
    expect(await reasonFor(damaged, 'spz')).toBe(
      `checksum mismatch: the inflated data does not match the CRC-32 (${stored
        .readUInt32LE(stored.length - 8)
        .toString(16)
        .padStart(8, '0')}) at the end of the gzip stream; the file is damaged`
    )
  })

  test('the real SPZ v3 with one compressed byte flipped, still inflating to the right size, fails on the CRC-32', async () => {
    const bytes = await fixture(SPZ)
    const inflatedSize = zlib.gunzipSync(bytes).length
    // The first flip past the middle that leaves a well-formed deflate stream of the same length.
    let offset = bytes.length >> 1
    for (; offset < bytes.length - 8; offset++) {
      const candidate = flipped(bytes, offset).subarray(DEFLATE_START, -8)
      try {
        if (zlib.inflateRawSync(candidate).length === inflatedSize) break
      } catch {
        // this flip breaks the deflate structure; try the next byte
      }
    }
    expect(offset).toBeLessThan(bytes.length - 8)
    const damaged = flipped(bytes, offset)
    expect(await headerOnly(damaged, 'spz')).toMatchObject({ version: 'spz-v3' })
    expect(await reasonFor(damaged, 'spz')).toMatch(/^checksum mismatch: /)
  })

  test('every sampled single-byte flip in the second half of the real SPZ v3 is rejected', async () => {
    const bytes = await fixture(SPZ)
    const reasons = new Set<string>()
    for (let offset = bytes.length >> 1; offset < bytes.length - 8; offset += 97) {
      const reason = await reasonFor(flipped(bytes, offset), 'spz')
      reasons.add(reason.replace(/:.*/, ''))
    }
    // Broken deflate structure is corrupt data; a well-formed but wrong stream fails a checksum,
    // or yields more or fewer bytes than the header means.
    expect([...reasons].sort()).toEqual(
      expect.arrayContaining(['checksum mismatch', 'corrupt compressed data'])
    )
    for (const reason of reasons) {
      expect(reason).toMatch(
        /^(checksum mismatch|corrupt compressed data|bytes appended inside the gzip stream|more than one gzip stream.*|\d+ trailing bytes? after the end of the gzip stream.*)$/
      )
    }
  })

  test('bytes hidden after a zero byte past the gzip stream, ending in a copy of its trailer, are trailing bytes', async () => {
    const bytes = await fixture(SPZ)
    const disguised = concat(bytes, Buffer.from([0]), bytes.subarray(-8))
    expect(await headerOnly(disguised, 'spz')).toMatchObject({ version: 'spz-v3' })
    expect(await reasonFor(disguised, 'spz')).toBe(
      `9 trailing bytes after the end of the gzip stream, at byte ${bytes.length}`
    )
  })

  test('a second gzip member is refused, whether or not the header allows extensions', async () => {
    const withExtensions = makeGzipSpz(3, 100, 0, 0x2, 64)
    expect(await reasonFor(concat(withExtensions, withExtensions), 'spz')).toBe(
      'more than one gzip stream in the file (concatenated gzip members); SPZ readers inflate only the first'
    )
    const plain = makeGzipSpz(3, 100, 0)
    expect(await reasonFor(concat(plain, plain), 'spz')).toBe(
      'bytes appended inside the gzip stream: the SPZ v3 header (100 splats, SH degree 0) means 2016 bytes uncompressed, the data inflates to more'
    )
  })

  test('a 3-million-splat SPZ v3 inflating to 195 MB is checked as it streams, in little memory', async () => {
    const count = 3_000_000
    const inflated = 16 + count * 65
    const file = path.join(dir, 'big-deep.spz')
    const zeros = Buffer.alloc(1024 * 1024)
    async function* payload(): AsyncGenerator<Buffer> {
      yield concat('NGSP', u32(3), u32(count), Buffer.from([3, 12, 0, 0]))
      for (let left = inflated - 16; left > 0; left -= zeros.length) {
        yield zeros.subarray(0, Math.min(left, zeros.length))
      }
    }
    await pipeline(Readable.from(payload()), zlib.createGzip({ level: 1 }), createWriteStream(file))
    const rssBefore = process.memoryUsage.rss()
    let rssPeak = rssBefore
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 5)
    try {
      expect(await verifyAsset(file, 'spz')).toEqual({
        format: 'spz',
        gaussians: count,
        version: 'spz-v3',
        shDegree: 3
      })
    } finally {
      clearInterval(sampler)
    }
    expect(rssPeak - rssBefore).toBeLessThan(50e6)
  })

  /** Where `name`'s data starts in a ZIP whose local headers have no extra field. */
  const dataStart = (bytes: Buffer, name: string): number =>
    bytes.indexOf(name, 0, 'latin1') + Buffer.byteLength(name)

  test('the real SOG with one byte flipped inside a stored image is refused, naming the image', async () => {
    const bytes = await fixture(SOG)
    const damaged = flipped(bytes, dataStart(bytes, 'shN_centroids.webp') + 5000)
    expect(damaged.length).toBe(bytes.length)
    expect(await headerOnly(damaged, 'sog')).toMatchObject({ gaussians: 1000 })
    expect(await reasonFor(damaged, 'sog')).toMatch(
      /^checksum mismatch: "shN_centroids.webp" has CRC-32 [0-9a-f]{8}, the ZIP directory records fc9c7fd4$/
    )
  })

  test('a deflated image with one byte flipped is refused, naming the image, on the CRC-32 where it still inflates', async () => {
    const items = unzipStored(await fixture(SOG))
    const name = 'shN_centroids.webp'
    const bundle = zip(
      items,
      items.map(item => item.name)
    )
    const start = dataStart(bundle, name)
    const compressed = zlib.deflateRawSync(items.find(item => item.name === name)!.data)
    const size = items.find(item => item.name === name)!.data.length
    let crcPath = 0
    // WebP is already compressed, so deflate mostly stores it and most flips still inflate.
    for (let offset = 0; offset < compressed.length; offset += compressed.length >> 4) {
      let inflates: boolean
      try {
        inflates = zlib.inflateRawSync(flipped(compressed, offset)).length === size
      } catch {
        inflates = false
      }
      const reason = await reasonFor(flipped(bundle, start + offset), 'sog')
      expect(reason).toContain(`"${name}"`)
      if (inflates) {
        expect(reason).toMatch(/^checksum mismatch: "shN_centroids.webp" has CRC-32 /)
        crcPath++
      } else {
        expect(reason).toMatch(/^(corrupt compressed data in|checksum mismatch:|corrupt ZIP:)/)
      }
    }
    expect(crcPath).toBeGreaterThan(0)
  })

  test('a meta.json edited so that it still parses is refused on its CRC-32', async () => {
    const bytes = await fixture(SOG)
    const at = bytes.indexOf('"mins":[-1.09', 0, 'latin1') + '"mins":[-1.09'.length
    const edited = patched(bytes, at, bytes[at] === 0x35 ? '6' : '5')
    expect(await headerOnly(edited, 'sog')).toMatchObject({ gaussians: 1000 })
    expect(await reasonFor(edited, 'sog')).toMatch(
      /^checksum mismatch: "meta.json" has CRC-32 [0-9a-f]{8}, the ZIP directory records 0e9c1654$/
    )
  })

  test('a deflated image whose stream ends before its entry does is corrupt', async () => {
    const items = unzipStored(await fixture(SOG))
    const bundle = zip(items, ['sh0.webp'], { 'sh0.webp': Buffer.from('junk') })
    const compressed = zlib.deflateRawSync(items.find(item => item.name === 'sh0.webp')!.data)
    expect(await reasonFor(bundle, 'sog')).toBe(
      `corrupt ZIP: the compressed data of "sh0.webp" ends after ${compressed.length} of its ${compressed.length + 4} bytes`
    )
  })
})

describe('cost', () => {
  test('a 744 MB PLY is verified from its header alone, quickly and in little memory', async () => {
    const count = 3_000_000
    const properties = [...GAUSSIAN, ...fRest(45), 'nx', 'ny', 'nz']
    const header = plyHeader(count, properties)
    const file = await place(header, 'ply')
    const size = header.length + count * properties.length * 4
    await truncate(file, size) // sparse: no data blocks are written
    const rssBefore = process.memoryUsage().rss
    const started = performance.now()
    const info = await verifyAsset(file, 'ply')
    const elapsed = performance.now() - started
    const grown = process.memoryUsage().rss - rssBefore
    expect(info).toEqual({ format: 'ply', gaussians: count, version: 'ply-3dgs', shDegree: 3 })
    expect(size).toBeGreaterThan(700e6)
    expect(elapsed).toBeLessThan(1000)
    expect(grown).toBeLessThan(50e6)
  })

  test('a 3-million-splat SPZ v4 file is verified from its table of contents alone', async () => {
    const count = 3_000_000
    const streams = [9, 1, 3, 3, 4, 45].map(bytesPerSplat => ({
      uncompressed: count * bytesPerSplat,
      compressed: (count * bytesPerSplat) / 2
    }))
    const header = concat(
      'NGSP',
      u32(4),
      u32(count),
      Buffer.from([3, 12, 0, 6]),
      u32(32),
      Buffer.alloc(12)
    )
    const toc = Buffer.alloc(16 * streams.length)
    streams.forEach((stream, i) => {
      toc.writeBigUInt64LE(BigInt(stream.compressed), 16 * i)
      toc.writeBigUInt64LE(BigInt(stream.uncompressed), 16 * i + 8)
    })
    const file = await place(concat(header, toc), 'spz')
    const handle = await open(file, 'r+')
    let offset = 32 + toc.length
    for (const stream of streams) {
      await handle.write(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 0, 4, offset)
      offset += stream.compressed
    }
    await handle.truncate(offset)
    await handle.close()
    const started = performance.now()
    expect(await verifyAsset(file, 'spz')).toEqual({
      format: 'spz',
      gaussians: count,
      version: 'spz-v4',
      shDegree: 3
    })
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
