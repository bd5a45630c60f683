/**
 * Benchmark of issue 14, item 6: what verifying a large GLB costs. The GLB check reads the file
 * whole and runs Khronos's glTF validator over it, which is the one check in src/assets/verify/
 * that is neither header-only nor streamed, so its time and memory are measured against what the
 * download already pays for the same file: the SHA-256 of its bytes.
 *
 * The GLB (1 M triangles: positions, normals and texture coordinates of 2 M vertices, 32-bit
 * indices; written by glTF-Transform) is written once; each round runs in a fresh Node process,
 * as a run of the action does, and times there: the validator's first import, the verification
 * (the header, the read and the validation; the import already paid), and a streamed SHA-256.
 * Rounds alternate which of the last two goes first; the best of each is reported.
 *
 * Standalone: `npx tsx bench/glb.ts [--rounds N] [--quads N]`.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Document, NodeIO } from '@gltf-transform/core'

export interface GlbBench {
  rounds: number
  fileBytes: number
  triangles: number
  importMs: number
  verifyMs: number
  sha256Ms: number
  /** verifyMs / sha256Ms. */
  ratio: number
  verifyMbPerS: number
  /** The child's peak RSS over its RSS before the verification, in MB. */
  peakRssGrowthMb: number
}

interface ChildFigures {
  importMs: number
  verifyMs: number
  sha256Ms: number
  triangles: number
  rssBeforeKb: number
  peakKb: number
}

const CHILD = fileURLToPath(new URL('./glb-child.ts', import.meta.url))

export async function benchGlb(rounds = 3, quads = 500_000): Promise<GlbBench> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-bench-glb-'))
  const file = path.join(folder, 'big.glb')
  try {
    writeFileSync(file, await writeLargeGlb(quads))
    const figures: ChildFigures[] = []
    for (let round = 0; round < rounds; round++) {
      const output = execFileSync(
        process.execPath,
        ['--import', 'tsx', CHILD, file, round % 2 === 0 ? 'verify-first' : 'sha-first'],
        { encoding: 'utf8', maxBuffer: 1 << 20 }
      )
      figures.push(JSON.parse(output) as ChildFigures)
    }
    const best = (key: keyof ChildFigures): number => Math.min(...figures.map(f => f[key]))
    const fileBytes = statSync(file).size
    const verifyMs = best('verifyMs')
    const sha256Ms = best('sha256Ms')
    return {
      rounds,
      fileBytes,
      triangles: figures[0].triangles,
      importMs: best('importMs'),
      verifyMs,
      sha256Ms,
      ratio: verifyMs / sha256Ms,
      verifyMbPerS: fileBytes / 1e6 / (verifyMs / 1000),
      peakRssGrowthMb: Math.max(...figures.map(f => (f.peakKb - f.rssBeforeKb) / 1024))
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** `quads` separate squares, each two triangles over four vertices with normals and UVs. */
async function writeLargeGlb(quads: number): Promise<Uint8Array> {
  const doc = new Document()
  const buffer = doc.createBuffer()
  const positions = new Float32Array(quads * 12)
  const normals = new Float32Array(quads * 12)
  const uvs = new Float32Array(quads * 8)
  const indices = new Uint32Array(quads * 6)
  for (let q = 0; q < quads; q++) {
    const x = q % 1000
    const y = Math.floor(q / 1000)
    positions.set([x, y, 0, x + 1, y, 0, x + 1, y + 1, 0, x, y + 1, 0], q * 12)
    normals.set([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1], q * 12)
    uvs.set([0, 0, 1, 0, 1, 1, 0, 1], q * 8)
    const v = q * 4
    indices.set([v, v + 1, v + 2, v, v + 2, v + 3], q * 6)
  }
  const accessor = (type: 'VEC3' | 'VEC2' | 'SCALAR', array: Float32Array | Uint32Array) =>
    doc.createAccessor().setType(type).setArray(array).setBuffer(buffer)
  const primitive = doc
    .createPrimitive()
    .setAttribute('POSITION', accessor('VEC3', positions))
    .setAttribute('NORMAL', accessor('VEC3', normals))
    .setAttribute('TEXCOORD_0', accessor('VEC2', uvs))
    .setIndices(accessor('SCALAR', indices))
  doc.createScene().addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(primitive)))
  return new NodeIO().writeBinary(doc)
}

export function formatGlbBench(result: GlbBench): string {
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
  return [
    '| GLB | triangles | validator import (cold) | verify (best) | SHA-256 (best) | verify / SHA-256 | verify throughput | peak RSS growth |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${mb(result.fileBytes)} | ${result.triangles.toLocaleString('en-US')} | ${result.importMs.toFixed(0)} ms | ${result.verifyMs.toFixed(0)} ms | ${result.sha256Ms.toFixed(0)} ms | ${result.ratio.toFixed(1)}× | ${result.verifyMbPerS.toFixed(0)} MB/s | ${result.peakRssGrowthMb.toFixed(0)} MB |`
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name: string, fallback: number): number => {
    const at = process.argv.indexOf(name)
    return at > 0 ? Number(process.argv[at + 1]) : fallback
  }
  console.log(formatGlbBench(await benchGlb(option('--rounds', 3), option('--quads', 500_000))))
}
