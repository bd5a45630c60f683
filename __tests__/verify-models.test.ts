import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { AssetVerificationError, verifyAsset, type AssetInfo } from '../src/assets/verify.js'
import type { AssetFormat } from '../src/domain/formats.js'
import { writeGlb } from './support/model-writers.js'

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
