/**
 * Real files from real writers, made in the tests: GLB by glTF-Transform's NodeIO, and STL, OBJ
 * by three.js's exporters. Nothing here is hand-assembled, so a verifier is held to what the
 * writers the services use actually produce.
 */
import { Document, NodeIO } from '@gltf-transform/core'

/** A GLB holding `quads` separate squares (two triangles, four vertices each), indexed. */
export async function writeGlb(quads: number, options: { indexOffset?: number } = {}) {
  const doc = new Document()
  const buffer = doc.createBuffer()
  const positions = new Float32Array(quads * 12)
  const indices = new Uint32Array(quads * 6)
  for (let q = 0; q < quads; q++) {
    positions.set([q, 0, 0, q + 1, 0, 0, q + 1, 1, 0, q, 1, 0], q * 12)
    const v = q * 4 + (options.indexOffset ?? 0)
    indices.set([v, v + 1, v + 2, v, v + 2, v + 3], q * 6)
  }
  const position = doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer)
  const index = doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer)
  const mesh = doc
    .createMesh()
    .addPrimitive(doc.createPrimitive().setAttribute('POSITION', position).setIndices(index))
  doc.createScene().addChild(doc.createNode().setMesh(mesh))
  return Buffer.from(await new NodeIO().writeBinary(doc))
}
