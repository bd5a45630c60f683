import { fail } from './result.js'
import { quoteText } from './text.js'

/** Reads a PLY header into its elements and their row sizes; only the binary little-endian form is accepted. */

export interface PlyElement {
  name: string
  count: number
  properties: string[]
  rowBytes: number
}

const PLY_TYPE_BYTES: Record<string, number> = {
  char: 1,
  uchar: 1,
  int8: 1,
  uint8: 1,
  short: 2,
  ushort: 2,
  int16: 2,
  uint16: 2,
  int: 4,
  uint: 4,
  float: 4,
  int32: 4,
  uint32: 4,
  float32: 4,
  double: 8,
  float64: 8
}

/** Length of the header including its `end_header` line, or undefined if it is not in `head`. */
export function findPlyHeaderEnd(head: Buffer): number | undefined {
  const match = /\nend_header[ \t]*\r?\n/.exec(head.toString('latin1'))
  return match ? match.index + match[0].length : undefined
}

export function parsePlyHeader(header: string): PlyElement[] {
  const lines = header.split('\n').map(line => line.replace(/\r$/, '').trim())
  let format: string | undefined
  const elements: PlyElement[] = []
  for (const line of lines.slice(1)) {
    const words = line.split(/\s+/)
    const keyword = words[0]
    if (keyword === 'end_header') break
    if (keyword === '' || keyword === 'comment' || keyword === 'obj_info') continue
    if (keyword === 'format') {
      format = words.slice(1).join(' ')
      checkPlyFormat(format)
    } else if (keyword === 'element') {
      elements.push(parseElement(words, line))
    } else if (keyword === 'property') {
      addProperty(elements.at(-1), words, line)
    } else {
      fail(`unexpected PLY header line ${quoteText(line)}`)
    }
  }
  if (format === undefined) fail('the PLY header has no "format" line')
  return elements
}

function checkPlyFormat(format: string): void {
  if (format === 'binary_little_endian 1.0') return
  const [encoding] = format.split(' ')
  if (encoding === 'ascii') {
    fail('ASCII PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"')
  }
  if (encoding === 'binary_big_endian') {
    fail('big-endian PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"')
  }
  fail(`unsupported PLY format ${quoteText(format)}; expected "binary_little_endian 1.0"`)
}

function parseElement(words: string[], line: string): PlyElement {
  if (words.length !== 3 || !/^\d+$/.test(words[2]) || !Number.isSafeInteger(Number(words[2]))) {
    fail(`malformed PLY header line ${quoteText(line)}`)
  }
  return { name: words[1], count: Number(words[2]), properties: [], rowBytes: 0 }
}

function addProperty(element: PlyElement | undefined, words: string[], line: string): void {
  if (!element) fail(`PLY property before any element: ${quoteText(line)}`)
  if (words[1] === 'list') {
    fail(
      `list property "${words.at(-1)}" in the ${element.name} element: its size depends on the data, and Gaussian-splat PLY files have none`
    )
  }
  const bytes = PLY_TYPE_BYTES[words[1]]
  if (words.length !== 3 || bytes === undefined) {
    fail(`malformed PLY header line ${quoteText(line)}`)
  }
  element.properties.push(words[2])
  element.rowBytes += bytes
}
