import { checkExactSize, type FileRanges } from './file-ranges.js'
import { findPlyHeaderEnd, parsePlyHeader, type PlyElement } from './ply-header.js'
import { fail, type AssetInfo } from './result.js'
import { shDegreeOfRestCount } from './sh-degree.js'

const PLY_HEADER_LIMIT = 128 * 1024
/** What every 3DGS splat carries; SH beyond degree 0 (f_rest_*) and normals are optional. */
const GAUSSIAN_PROPERTIES =
  'x y z f_dc_0 f_dc_1 f_dc_2 opacity scale_0 scale_1 scale_2 rot_0 rot_1 rot_2 rot_3'.split(' ')
const PACKED_PROPERTIES = ['packed_position', 'packed_rotation', 'packed_scale', 'packed_color']
/** The compressed PLY stores one `chunk` row of bounds per this many splats. */
const SPLATS_PER_CHUNK = 256

/** Checks a 3DGS or compressed (chunked) PLY: its header, and a size that is exactly what the header describes. */
export async function verifyPly(file: FileRanges): Promise<AssetInfo> {
  const head = await file.read(0, PLY_HEADER_LIMIT)
  const headerBytes = findPlyHeaderEnd(head)
  if (headerBytes === undefined) {
    fail(
      file.size <= PLY_HEADER_LIMIT
        ? `truncated: ${file.size} bytes and the PLY header has no "end_header" line`
        : 'no "end_header" line in the first 128 KiB; a splat PLY header is a few KiB'
    )
  }
  const elements = parsePlyHeader(head.toString('latin1', 0, headerBytes))
  checkPlySize(file.size, headerBytes, elements)

  const named = (name: string): PlyElement | undefined =>
    elements.find(element => element.name === name)
  const vertex = named('vertex')
  if (!vertex) fail('the PLY header has no "vertex" element, so no splats')
  const chunk = named('chunk')
  if (chunk || vertex.properties.includes('packed_position')) {
    return compressedPlyInfo(vertex, chunk, named('sh'))
  }
  const missing = GAUSSIAN_PROPERTIES.filter(name => !vertex.properties.includes(name))
  if (missing.length > 0) {
    fail(`not a Gaussian-splat PLY: the vertex element lacks ${missing.join(', ')}`)
  }
  return {
    format: 'ply',
    gaussians: vertex.count,
    version: 'ply-3dgs',
    shDegree: fRestDegree(vertex)
  }
}

function checkPlySize(size: number, headerBytes: number, elements: PlyElement[]): void {
  let expectedSize = headerBytes
  for (const element of elements) expectedSize += element.count * element.rowBytes
  if (!Number.isSafeInteger(expectedSize)) fail('the PLY header describes an impossibly large file')
  const layout = elements
    .filter(element => element.count > 0)
    .map(element => `${element.count} ${element.name} × ${element.rowBytes} bytes`)
    .join(' + ')
  checkExactSize(
    size,
    expectedSize,
    `the PLY header (${headerBytes} bytes + ${layout || 'no data'})`,
    true
  )
}

function compressedPlyInfo(
  vertex: PlyElement,
  chunk: PlyElement | undefined,
  sh: PlyElement | undefined
): AssetInfo {
  const missing = PACKED_PROPERTIES.filter(name => !vertex.properties.includes(name))
  if (missing.length > 0) {
    fail(`not a compressed PLY: the vertex element lacks ${missing.join(', ')}`)
  }
  const chunksNeeded = Math.ceil(vertex.count / SPLATS_PER_CHUNK)
  if (!chunk || chunk.count < chunksNeeded) {
    fail(
      `compressed PLY with ${vertex.count} splats needs ${chunksNeeded} chunk rows, the header has ${chunk?.count ?? 0}`
    )
  }
  if (sh && sh.count !== vertex.count) {
    fail(`compressed PLY has ${vertex.count} vertex rows but ${sh.count} sh rows; they must match`)
  }
  return {
    format: 'ply',
    gaussians: vertex.count,
    version: 'ply-compressed',
    shDegree: sh ? fRestDegree(sh) : 0
  }
}

function fRestDegree(element: PlyElement): number {
  const count = element.properties.filter(name => /^f_rest_\d+$/.test(name)).length
  const degree = shDegreeOfRestCount(count)
  if (degree === undefined) {
    fail(
      `${count} f_rest properties in the ${element.name} element; SH degrees 0-3 have 0, 9, 24 or 45`
    )
  }
  return degree
}
