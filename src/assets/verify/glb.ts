import type * as GltfValidator from 'gltf-validator'
import { createRequire } from 'node:module'
import type { ValidationMessage } from 'gltf-validator'
import { checkExactSize, type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { notTheFormat, SNIFF_BYTES } from './sniff.js'
import { errorMessage } from '../../errors.js'

type Validator = typeof GltfValidator

/**
 * Checks a GLB (binary glTF 2.0): its 12-byte header and first chunk here, then the whole file
 * with Khronos's reference validator, whose report also gives the triangle and vertex counts.
 * The validator (300 kB of JavaScript in the bundle, compiled from Dart) is imported only when a GLB is
 * checked, so runs that deliver no GLB do not load it. It reads the file whole, in memory.
 */

const GLB_MAGIC = 0x46546c67 // 'glTF'
const HEADER_BYTES = 12
const CHUNK_HEADER_BYTES = 8
const JSON_CHUNK = 0x4e4f534a // 'JSON'
/** How many of the validator's errors a failure names. */
const ERRORS_NAMED = 3
/** Enough to know whether there are errors without a broken file's report growing without end. */
const MAX_ISSUES = 1000

export async function verifyGlb(file: FileRanges): Promise<AssetInfo> {
  const head = await file.read(0, SNIFF_BYTES)
  if (head.length < 4 || head.readUInt32LE(0) !== GLB_MAGIC) {
    notTheFormat(head, file.size, 'GLB', 'it starts with "glTF"')
  }
  if (head.length < HEADER_BYTES + CHUNK_HEADER_BYTES) {
    fail(`truncated: ${file.size} bytes, a GLB header and its first chunk header need 20`)
  }
  const version = head.readUInt32LE(4)
  if (version !== 2) fail(`GLB version ${version}; glTF 2.0 binaries are version 2`)
  checkExactSize(file.size, head.readUInt32LE(8), 'the GLB header', true)
  const jsonBytes = head.readUInt32LE(12)
  if (head.readUInt32LE(16) !== JSON_CHUNK) {
    fail(`the first GLB chunk is not JSON (type 0x${head.readUInt32LE(16).toString(16)})`)
  }
  if (HEADER_BYTES + CHUNK_HEADER_BYTES + jsonBytes > file.size) {
    fail(
      `the GLB's JSON chunk (${jsonBytes} bytes) runs past the end of the ${file.size}-byte file`
    )
  }
  return validate(await file.read(0, file.size))
}

async function validate(bytes: Buffer): Promise<AssetInfo> {
  const gltf = await loadValidator()
  let report
  try {
    report = await gltf.validateBytes(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      {
        format: 'glb',
        writeTimestamp: false,
        maxIssues: MAX_ISSUES,
        // The GLB is delivered alone: a buffer or image it names by URI is missing, not fetched.
        externalResourceFunction: uri =>
          Promise.reject(new Error(`"${uri}" is outside the GLB, which is delivered alone`))
      }
    )
  } catch (error) {
    fail(`the glTF validator cannot read it: ${errorMessage(error)}`)
  }
  const errors = report.issues.messages.filter(message => message.severity === 0)
  if (report.issues.numErrors > 0 || errors.length > 0) {
    const count = Math.max(report.issues.numErrors, errors.length)
    const named = errors.slice(0, ERRORS_NAMED).map(describeIssue).join('; ')
    const more = count > ERRORS_NAMED ? `; and ${count - ERRORS_NAMED} more` : ''
    fail(`the glTF validator finds ${count} error${count === 1 ? '' : 's'}: ${named}${more}`)
  }
  const info: AssetInfo = { format: 'glb', version: 'glb-v2' }
  if (report.info?.totalTriangleCount !== undefined) info.triangles = report.info.totalTriangleCount
  if (report.info?.totalVertexCount !== undefined) info.vertices = report.info.totalVertexCount
  return info
}

let validator: Promise<Validator> | undefined

/** The validator, imported once, the first time a GLB is checked. */
function loadValidator(): Promise<Validator> {
  validator ??= importValidator()
  return validator
}

/**
 * The validator is compiled from Dart to CommonJS. When it starts it looks up a global `require`
 * (through `eval`, which bundlers leave alone) to load Node's `url`; the bundle is an ES module,
 * which has none, so one is lent for that first evaluation and taken back. And Node gives a
 * CommonJS module's exports as named ones, while a bundler may give only `default`.
 */
async function importValidator(): Promise<Validator> {
  const scope = globalThis as { require?: NodeJS.Require }
  const lent = scope.require === undefined
  if (lent) scope.require = createRequire(import.meta.url)
  let module: unknown
  try {
    module = await import('gltf-validator')
  } finally {
    if (lent) delete scope.require
  }
  const named = module as Validator
  return typeof named.validateBytes === 'function'
    ? named
    : (module as { default: Validator }).default
}

/** `GLB_UNEXPECTED_END_OF_CHUNK_DATA at byte 648: Unexpected end of chunk data` */
function describeIssue(issue: ValidationMessage): string {
  const where =
    issue.pointer !== undefined
      ? ` at ${issue.pointer}`
      : issue.offset !== undefined
        ? ` at byte ${issue.offset}`
        : ''
  return `${issue.code}${where}: ${issue.message.replace(/\s+/g, ' ').replace(/\.$/, '').slice(0, 200)}`
}
