import { checkExactSize, type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { notTheFormat } from './sniff.js'

/**
 * Checks an STL. Binary: an 80-byte header, a 32-bit triangle count, and 50 bytes per triangle,
 * so the size is exactly 84 + 50 × the count. ASCII: `solid <name>`, facets, `endsolid`; its
 * triangles are counted by streaming the text for `endfacet`. Some binary writers start their
 * header with "solid" too, so a file whose size fits its binary count is binary, whatever it
 * starts with, and so is one with a NUL byte in its first 84.
 */

const BINARY_HEADER = 84
const TRIANGLE_BYTES = 50
const END_FACET = Buffer.from('endfacet')
const TAIL_BYTES = 512

export async function verifyStl(file: FileRanges): Promise<AssetInfo> {
  const head = await file.read(0, BINARY_HEADER)
  // A binary header that starts with "solid" is told apart by the NUL bytes text never has.
  const startsSolid = /^\s*solid(\s|$)/.test(head.toString('latin1', 0, 80)) && !head.includes(0)
  if (head.length >= BINARY_HEADER) {
    const triangles = head.readUInt32LE(80)
    if (BINARY_HEADER + TRIANGLE_BYTES * triangles === file.size) {
      return { format: 'stl', version: 'stl-binary', triangles }
    }
  }
  if (startsSolid) return verifyAscii(file)
  if (head.length < BINARY_HEADER) {
    if (file.size === 0 || /^\s*[<{[]/.test(head.toString('latin1'))) {
      notTheFormat(head, file.size, 'STL', 'binary: 84 + 50 × triangles bytes; ASCII: "solid"')
    }
    fail(`truncated: ${file.size} bytes, a binary STL header needs ${BINARY_HEADER}`)
  }
  if (/^\s*[<{[]/.test(head.toString('latin1'))) {
    notTheFormat(head, file.size, 'STL', 'binary: 84 + 50 × triangles bytes; ASCII: "solid"')
  }
  const triangles = head.readUInt32LE(80)
  checkExactSize(
    file.size,
    BINARY_HEADER + TRIANGLE_BYTES * triangles,
    `a binary STL of ${triangles.toLocaleString('en-US')} triangles (84 + 50 × ${triangles})`,
    true
  )
  return { format: 'stl', version: 'stl-binary', triangles }
}

async function verifyAscii(file: FileRanges): Promise<AssetInfo> {
  const tail = (await file.read(Math.max(0, file.size - TAIL_BYTES), TAIL_BYTES)).toString('latin1')
  if (!/(^|\s)endsolid([ \t][^\n]*)?\s*$/.test(tail)) {
    fail(`truncated: an ASCII STL ends with "endsolid", and this one (${file.size} bytes) does not`)
  }
  return { format: 'stl', version: 'stl-ascii', triangles: await countEndFacets(file) }
}

/** Occurrences of `endfacet`, one per triangle, streamed in constant memory. */
async function countEndFacets(file: FileRanges): Promise<number> {
  let count = 0
  let carry = Buffer.alloc(0)
  for await (const chunk of file.stream(0, file.size)) {
    const text = Buffer.concat([carry, chunk as Buffer])
    for (let at = text.indexOf(END_FACET); at >= 0; at = text.indexOf(END_FACET, at + 1)) count++
    // Keep what could be the start of a word cut at the chunk's end, but never a whole match.
    carry = text.subarray(Math.max(0, text.length - (END_FACET.length - 1)))
  }
  return count
}
