import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import * as os from 'node:os'
import * as path from 'node:path'
import { AssetVerificationError, verifyAsset, type AssetInfo } from '../src/assets/verify.js'
import type { AssetFormat } from '../src/domain/formats.js'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import * as zlib from 'node:zlib'
import { crc32 } from '../src/assets/verify/crc32.js'
import { writeGlb, writeObj, writeStl, writeUsdz, writeZip } from './support/model-writers.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'verify-models-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

let written = 0
async function verifyBytes(bytes: Buffer | string, format: AssetFormat): Promise<AssetInfo> {
  const file = path.join(dir, `case-${++written}.${format}`)
  await writeFile(file, bytes)
  return verifyAsset(file, format)
}

/** The reason verification gives for these bytes; fails the test if verification passes. */
async function reasonFor(bytes: Buffer | string, format: AssetFormat): Promise<string> {
  try {
    await verifyBytes(bytes, format)
  } catch (error) {
    expect(error).toBeInstanceOf(AssetVerificationError)
    return (error as AssetVerificationError).reason
  }
  throw new Error('verification passed, but a failure was expected')
}

/** A copy of `bytes` with `patch` written at `offset`. */
function patched(bytes: Buffer, offset: number, patch: Buffer | string): Buffer {
  const copy = Buffer.from(bytes)
  Buffer.from(patch as string, 'latin1').copy(copy, offset)
  return copy
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32LE(value)
  return bytes
}

describe('GLB', () => {
  test('a GLB written by glTF-Transform passes, with its triangles and vertices', async () => {
    const glb = await writeGlb(250)
    expect(await verifyBytes(glb, 'glb')).toEqual({
      format: 'glb',
      version: 'glb-v2',
      triangles: 500,
      vertices: 1000
    })
  })

  test('the validator is loaded only once a GLB is checked', async () => {
    const glb = path.join(dir, 'probe.glb')
    await writeFile(glb, await writeGlb(3))
    const probe = fileURLToPath(new URL('./support/validator-probe.mts', import.meta.url))
    const ply = fileURLToPath(
      new URL('../__fixtures__/splats/ply/input_1k_sh0.ply', import.meta.url)
    )
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      probe,
      ply,
      glb
    ])
    expect(JSON.parse(stdout)).toEqual({ afterPly: false, afterGlb: true, triangles: 6 })
  })

  test('a truncated GLB fails on its length field', async () => {
    const glb = await writeGlb(10)
    expect(await reasonFor(glb.subarray(0, glb.length - 100), 'glb')).toBe(
      `truncated: ${glb.length - 100} bytes, the GLB header needs ${glb.length}`
    )
  })

  test('a GLB cut short with its length field patched to match fails in the validator', async () => {
    const glb = await writeGlb(10)
    const cut = glb.subarray(0, glb.length - 96)
    const reason = await reasonFor(patched(cut, 8, u32(cut.length)), 'glb')
    expect(reason).toMatch(/^the glTF validator finds \d+ errors?: GLB_/)
  })

  test('an index past the last vertex is an error the validator names', async () => {
    const reason = await reasonFor(await writeGlb(2, { indexOffset: 5 }), 'glb')
    expect(reason).toMatch(
      /^the glTF validator finds 7 errors: ACCESSOR_INDEX_OOB at \/meshes\/0\/primitives\/0\/indices: Indices accessor element at index 5 has value 8 that is greater than the maximum vertex index available \(7\); ACCESSOR_INDEX_OOB .*; and 4 more$/
    )
  })

  test('more errors than are named are counted', async () => {
    const reason = await reasonFor(await writeGlb(20, { indexOffset: 100 }), 'glb')
    expect(reason).toMatch(/ACCESSOR_INDEX_OOB.*; and \d+ more$/)
  })

  test('a buffer outside the GLB is an error, not fetched', async () => {
    // Assembled by hand: no writer puts an external buffer in a GLB, but a GLB may name one.
    const json = Buffer.from(
      JSON.stringify({ asset: { version: '2.0' }, buffers: [{ uri: 'ext.bin', byteLength: 4 }] })
    )
    const padded = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)])
    const glb = Buffer.concat([
      Buffer.from('glTF', 'latin1'),
      u32(2),
      u32(20 + padded.length),
      u32(padded.length),
      Buffer.from('JSON', 'latin1'),
      padded
    ])
    expect(await reasonFor(glb, 'glb')).toBe(
      'the glTF validator finds 1 error: IO_ERROR at /buffers/0/uri: Node Exception: Error: "ext.bin" is outside the GLB, which is delivered alone'
    )
  })

  test('the header: version, first chunk, trailing bytes and what is not a GLB', async () => {
    const glb = await writeGlb(1)
    expect(await reasonFor(patched(glb, 4, u32(1)), 'glb')).toBe(
      'GLB version 1; glTF 2.0 binaries are version 2'
    )
    expect(await reasonFor(patched(glb, 16, 'BIN\0'), 'glb')).toBe(
      'the first GLB chunk is not JSON (type 0x4e4942)'
    )
    expect(await reasonFor(Buffer.concat([glb, Buffer.alloc(4)]), 'glb')).toBe(
      `4 trailing bytes: ${glb.length + 4} bytes, the GLB header accounts for ${glb.length}`
    )
    expect(await reasonFor(patched(glb, 12, u32(1 << 30)), 'glb')).toMatch(
      /^the GLB's JSON chunk \(1073741824 bytes\) runs past the end/
    )
    expect(await reasonFor('<!DOCTYPE html><html><title>403 Forbidden</title>', 'glb')).toBe(
      'an HTML page, not a GLB file (starts with "<!DOCTYPE html><html><title>403 Forbidde"; title "403 Forbidden")'
    )
    expect(await reasonFor(Buffer.from([1, 2, 3, 4, 5]), 'glb')).toBe(
      'not a GLB file (it starts with "glTF"): its first bytes are 01 02 03 04 05'
    )
    expect(await reasonFor('', 'glb')).toBe('empty file (0 bytes)')
  })
})

/** Where the data of the ZIP entry `name` starts, read from its local header. */
function entryData(zip: Buffer, name: string): number {
  for (
    let offset = zip.indexOf('PK\x03\x04', 0, 'latin1');
    offset >= 0;
    offset = zip.indexOf('PK\x03\x04', offset + 4, 'latin1')
  ) {
    const nameLength = zip.readUInt16LE(offset + 26)
    if (zip.toString('utf8', offset + 30, offset + 30 + nameLength) === name) {
      return offset + 30 + nameLength + zip.readUInt16LE(offset + 28)
    }
  }
  throw new Error(`no entry "${name}"`)
}

/** A copy with one bit of the byte at `offset` flipped. */
function flipped(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[offset] ^= 0x10
  return copy
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>'
const RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>'
const MODEL =
  '<?xml version="1.0" encoding="UTF-8"?><model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources><object id="1" type="model"><mesh><vertices><vertex x="0" y="0" z="0"/><vertex x="1" y="0" z="0"/><vertex x="0" y="1" z="0"/></vertices><triangles><triangle v1="0" v2="1" v3="2"/></triangles></mesh></object></resources><build><item objectid="1"/></build></model>'

describe('ZIP-based formats', () => {
  test('a zipped OBJ from three.js passes, stored or deflated', async () => {
    const files = { 'model.obj': writeObj(), 'model.mtl': 'newmtl box\nKd 0.5 0.25 0.75\n' }
    for (const level of [0, 6] as const) {
      expect(await verifyBytes(writeZip(files, level), 'obj')).toEqual({
        format: 'obj',
        version: 'obj-zip'
      })
    }
  })

  test('a flipped byte in a stored entry fails on its CRC-32', async () => {
    const zip = writeZip({ 'model.obj': writeObj() }, 0)
    expect(await reasonFor(flipped(zip, entryData(zip, 'model.obj') + 40), 'obj')).toMatch(
      /^checksum mismatch: "model\.obj" has CRC-32 [0-9a-f]{8}, the ZIP directory records [0-9a-f]{8}$/
    )
  })

  test('a flipped byte in a deflated entry fails', async () => {
    const zip = writeZip({ 'model.obj': writeObj() }, 6)
    expect(await reasonFor(flipped(zip, entryData(zip, 'model.obj') + 20), 'obj')).toMatch(
      /^(checksum mismatch: "model\.obj"|corrupt compressed data in "model\.obj"|"model\.obj": corrupt compressed data)/
    )
  })

  test('the cheap check for reuse reads headers only, and still finds a cut', async () => {
    const zip = writeZip({ 'model.obj': writeObj() }, 0)
    const file = path.join(dir, 'flipped.obj')
    await writeFile(file, flipped(zip, entryData(zip, 'model.obj') + 40))
    await expect(verifyAsset(file, 'obj', { deep: false })).resolves.toEqual({
      format: 'obj',
      version: 'obj-zip'
    })
    expect(await reasonFor(zip.subarray(0, zip.length - 30), 'obj')).toMatch(/^truncated|corrupt/)
  })

  test('an OBJ archive without a .obj, and an FBX archive without a .fbx, are refused', async () => {
    expect(await reasonFor(writeZip({ 'model.mtl': 'x', 'tex.png': 'y' }), 'obj')).toBe(
      'no .obj file in the zipped OBJ archive (it holds "model.mtl", "tex.png")'
    )
    expect(await reasonFor(writeZip({ 'model.obj': writeObj() }), 'fbx')).toBe(
      'no .fbx file in the zipped FBX archive (it holds "model.obj")'
    )
  })

  test('the model inside must start as one: an FBX header, OBJ text', async () => {
    expect(await reasonFor(writeZip({ 'model.fbx': writeObj() }), 'fbx')).toBe(
      '"model.fbx" is not an FBX file (starts with "o \\nv 0.5 0.5 0.5\\nv 0.5 0")'
    )
    expect(await reasonFor(writeZip({ 'Model.OBJ': writeStl(true) }), 'obj')).toMatch(
      /^"Model\.OBJ" is not OBJ text \(starts with "/
    )
  })

  test('a bundle ZIP passes with any files; an empty one and a non-ZIP do not', async () => {
    const bundle = writeZip({ 'a.glb': 'x', 'b/c.png': 'y' })
    expect(await verifyBytes(bundle, 'zip')).toEqual({ format: 'zip', version: 'zip' })
    const empty = Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1')
    expect(await reasonFor(empty, 'zip')).toMatch(/^not a ZIP file \(a ZIP archive starts with/)
    expect(await reasonFor('{"c":"500","m":"oops"}', 'zip')).toBe(
      'a JSON API response, not a ZIP file (c "500", m "oops")'
    )
  })

  test("a USDZ from three.js's USDZExporter passes", async () => {
    expect(await verifyBytes(await writeUsdz(), 'usdz')).toEqual({
      format: 'usdz',
      version: 'usdz'
    })
  })

  test('a USDZ with a deflated entry is refused', async () => {
    const usdz = writeZip({ 'model.usda': '#usda 1.0\n' + 'def Xform "a" {}\n'.repeat(50) }, 6)
    expect(await reasonFor(usdz, 'usdz')).toBe(
      '"model.usda" is compressed (ZIP method 8); USDZ entries are stored'
    )
  })

  test('a USDZ whose data is not 64-byte aligned, or whose first entry is no layer, is refused', async () => {
    // fflate stores without padding: the data lands where the header ends.
    const unaligned = writeZip({ 'model.usda': '#usda 1.0\n' }, 0)
    expect(await reasonFor(unaligned, 'usdz')).toBe(
      `the data of "model.usda" starts at byte ${entryData(unaligned, 'model.usda')}, not on a 64-byte boundary as USDZ requires`
    )
    expect(await reasonFor(writeZip({ 'tex.png': 'x', 'model.usdc': 'y' }, 0), 'usdz')).toBe(
      'the first entry of a USDZ is its .usdc, .usda or .usd layer; this one is "tex.png"'
    )
  })

  test('a flipped byte in a USDZ layer fails on its CRC-32', async () => {
    const usdz = await writeUsdz()
    expect(await reasonFor(flipped(usdz, entryData(usdz, 'model.usda') + 3), 'usdz')).toMatch(
      /^checksum mismatch: "model\.usda"/
    )
  })

  test('a 3MF package passes with its part names in any case', async () => {
    const parts = { '[Content_Types].xml': CONTENT_TYPES, '_rels/.rels': RELS }
    expect(await verifyBytes(writeZip({ ...parts, '3D/3dmodel.model': MODEL }), '3mf')).toEqual({
      format: '3mf',
      version: '3mf'
    })
    expect(await verifyBytes(writeZip({ ...parts, '3d/3DModel.MODEL': MODEL }), '3mf')).toEqual({
      format: '3mf',
      version: '3mf'
    })
    expect(await reasonFor(writeZip({ ...parts, '3D/model.model': MODEL }), '3mf')).toBe(
      'no 3D/3dmodel.model in the 3MF package (it holds "[Content_Types].xml", "_rels/.rels", "3D/model.model")'
    )
    expect(await reasonFor(writeZip({ '3D/3dmodel.model': MODEL }), '3mf')).toBe(
      'no [Content_Types].xml in the 3MF package (it holds "3D/3dmodel.model")'
    )
  })
})

/**
 * A binary FBX laid out as Autodesk's SDK writes it (header, top-level node records each giving
 * the offset where it ends, a null record, a footer). No FBX writer runs in Node, so this one is
 * built here from the layout Blender's FBX importer documents; the nodes carry no properties.
 */
function binaryFbx(version: number, nodes: string[]): Buffer {
  const wide = version >= 7500
  const recordHeader = wide ? 25 : 13
  const parts = [Buffer.from('Kaydara FBX Binary  \0\x1a\0', 'latin1'), u32(version)]
  let at = 27
  for (const name of nodes) {
    const record = Buffer.alloc(recordHeader + name.length + recordHeader)
    const end = at + record.length
    if (wide) record.writeBigUInt64LE(BigInt(end), 0)
    else record.writeUInt32LE(end, 0)
    record[recordHeader - 1] = name.length
    record.write(name, recordHeader, 'latin1')
    // The node's own (empty) list of children ends with a null record, zeros already.
    parts.push(record)
    at = end
  }
  parts.push(Buffer.alloc(recordHeader), Buffer.alloc(160, 0xfa))
  return Buffer.concat(parts)
}

describe('FBX (bare)', () => {
  test('binary FBX 7.4 and 7.5 (64-bit records) pass with their version', async () => {
    const nodes = ['FBXHeaderExtension', 'GlobalSettings', 'Objects', 'Connections']
    expect(await verifyBytes(binaryFbx(7400, nodes), 'fbx')).toEqual({
      format: 'fbx',
      version: 'fbx-binary-7400'
    })
    expect(await verifyBytes(binaryFbx(7500, nodes), 'fbx')).toEqual({
      format: 'fbx',
      version: 'fbx-binary-7500'
    })
  })

  test('a binary FBX cut inside its node records is truncated', async () => {
    const fbx = binaryFbx(7400, ['FBXHeaderExtension', 'Objects', 'Connections'])
    expect(await reasonFor(fbx.subarray(0, 60), 'fbx')).toMatch(
      /^truncated: 60 bytes, an FBX node record at byte \d+ ends at \d+$/
    )
    expect(await reasonFor(fbx.subarray(0, 20), 'fbx')).toBe(
      'truncated: 20 bytes, inside the FBX header'
    )
  })

  test('ASCII FBX passes; a damaged magic and other bytes do not', async () => {
    const ascii = '; FBX 7.4.0 project file\n; Created by the test\nFBXHeaderExtension:  {\n}\n'
    expect(await verifyBytes(ascii, 'fbx')).toEqual({ format: 'fbx', version: 'fbx-ascii-7400' })
    const fbx = binaryFbx(7400, ['Objects'])
    expect(await reasonFor(patched(fbx, 19, '_'), 'fbx')).toBe(
      'a damaged FBX header: "Kaydara FBX Binary" is not followed by two spaces, \\0, 1A 00'
    )
    expect(await reasonFor(patched(fbx, 23, u32(12)), 'fbx')).toBe(
      'FBX version 12; versions have four digits'
    )
    expect(await reasonFor('solid x\nendsolid x\n', 'fbx')).toMatch(/^not an FBX file \(/)
  })

  test('an FBX delivered zipped is read as a ZIP', async () => {
    const zip = writeZip({ 'model.fbx': binaryFbx(7400, ['Objects']) })
    expect(await verifyBytes(zip, 'fbx')).toEqual({ format: 'fbx', version: 'fbx-zip' })
  })
})

describe('STL', () => {
  test("three.js's STLExporter, binary and ASCII, with the triangle count", async () => {
    expect(await verifyBytes(writeStl(true), 'stl')).toEqual({
      format: 'stl',
      version: 'stl-binary',
      triangles: 12
    })
    expect(await verifyBytes(writeStl(false), 'stl')).toEqual({
      format: 'stl',
      version: 'stl-ascii',
      triangles: 12
    })
  })

  test('a binary STL whose header starts with "solid" is still binary', async () => {
    expect(await verifyBytes(patched(writeStl(true), 0, 'solid box'), 'stl')).toEqual({
      format: 'stl',
      version: 'stl-binary',
      triangles: 12
    })
  })

  test('a binary STL of the wrong size fails, short or long', async () => {
    const stl = writeStl(true)
    expect(await reasonFor(patched(stl, 0, 'solid box').subarray(0, 634), 'stl')).toBe(
      'truncated: 634 bytes, a binary STL of 12 triangles (84 + 50 × 12) needs 684'
    )
    expect(stl.length).toBe(84 + 50 * 12)
    expect(await reasonFor(stl.subarray(0, stl.length - 50), 'stl')).toBe(
      'truncated: 634 bytes, a binary STL of 12 triangles (84 + 50 × 12) needs 684'
    )
    expect(await reasonFor(Buffer.concat([stl, Buffer.alloc(3)]), 'stl')).toBe(
      '3 trailing bytes: 687 bytes, a binary STL of 12 triangles (84 + 50 × 12) accounts for 684'
    )
    expect(await reasonFor(stl.subarray(0, 50), 'stl')).toBe(
      'truncated: 50 bytes, a binary STL header needs 84'
    )
  })

  test('an ASCII STL without its endsolid is truncated', async () => {
    const ascii = writeStl(false)
    expect(await reasonFor(ascii.subarray(0, ascii.length - 20), 'stl')).toBe(
      `truncated: an ASCII STL ends with "endsolid", and this one (${ascii.length - 20} bytes) does not`
    )
  })

  test('an error page is named as one', async () => {
    expect(
      await reasonFor('<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', 'stl')
    ).toMatch(/^an XML document, not an STL file/)
  })
})

const FIXTURES = fileURLToPath(new URL('../__fixtures__/splats/', import.meta.url))

/** A real lossless WebP: `means_l.webp` from splat-transform's SOG fixture (a stored entry). */
async function realWebp(): Promise<Buffer> {
  const sog = await readFile(path.join(FIXTURES, 'sog/bundled_1k_sh0.sog'))
  const start = entryData(sog, 'means_l.webp')
  return sog.subarray(start, start + sog.readUInt32LE(start + 4) + 8)
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  return Buffer.concat([length, body, crc])
}

/** A PNG by the PNG specification: grey 8-bit pixels, one zlib stream. */
function png(width: number, height: number): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth; colour type 0 (grey), methods 0
  const rows = Buffer.alloc((width + 1) * height, 0x80)
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0 // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0))
  ])
}

function segment(marker: number, body: Buffer): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16BE(body.length + 2)
  return Buffer.concat([Buffer.from([0xff, marker]), length, body])
}

/** A baseline JPEG's marker structure (SOI, APP0 JFIF, DQT, SOF0, SOS, data, EOI). */
function jpeg(width: number, height: number): Buffer {
  const frame = Buffer.from([8, 0, 0, 0, 0, 1, 1, 0x11, 0])
  frame.writeUInt16BE(height, 1)
  frame.writeUInt16BE(width, 3)
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xc0, frame),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]),
    Buffer.from([0xff, 0xd9])
  ])
}

describe('images', () => {
  test('PNG, JPEG and WebP pass with their dimensions', async () => {
    expect(await verifyBytes(png(64, 48), 'image')).toEqual({
      format: 'image',
      version: 'png',
      width: 64,
      height: 48
    })
    expect(await verifyBytes(jpeg(1024, 768), 'image')).toEqual({
      format: 'image',
      version: 'jpeg',
      width: 1024,
      height: 768
    })
    const webp = await realWebp()
    expect(await verifyBytes(webp, 'image')).toMatchObject({ format: 'image', version: 'webp' })
  })

  test('each cut short is found', async () => {
    const cutPng = png(64, 48).subarray(0, 60)
    expect(await reasonFor(cutPng, 'image')).toBe(
      'truncated: a PNG ends with its IEND chunk, and this one (60 bytes) does not'
    )
    const cutJpeg = jpeg(10, 10).subarray(0, 50)
    expect(await reasonFor(cutJpeg, 'image')).toBe(
      'truncated: a JPEG ends with its EOI marker (FF D9), and this one (50 bytes) does not'
    )
    const webp = await realWebp()
    expect(await reasonFor(webp.subarray(0, webp.length - 10), 'image')).toBe(
      `truncated: ${webp.length - 10} bytes, the WebP RIFF header needs ${webp.length}`
    )
  })

  test('a JPEG without a frame header, and other bytes, are refused', async () => {
    const noFrame = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      segment(0xe0, Buffer.alloc(14)),
      segment(0xda, Buffer.alloc(6)),
      Buffer.from([0xff, 0xd9])
    ])
    expect(await reasonFor(noFrame, 'image')).toBe(
      'a damaged JPEG: no frame header (SOFn) gives its size'
    )
    expect(await reasonFor('GIF89a....', 'image')).toBe(
      'not a PNG, JPEG or WebP file (by its signature): the bytes are text, starting with "GIF89a...."'
    )
  })
})
