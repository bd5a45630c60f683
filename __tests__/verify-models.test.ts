import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { AssetVerificationError, verifyAsset, type AssetInfo } from '../src/assets/verify.js'
import type { AssetFormat } from '../src/domain/formats.js'
import { writeGlb, writeObj, writeUsdz, writeZip } from './support/model-writers.js'

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
      /^(checksum mismatch: "model\.obj"|corrupt compressed data in "model\.obj")/
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
