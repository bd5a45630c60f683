/**
 * Real files from real writers, made in the tests: GLB by glTF-Transform's NodeIO, and STL, OBJ
 * by three.js's exporters, ZIPs by fflate (the ZIP writer inside three.js's USDZExporter). Nothing here is hand-assembled, so a verifier is held to what the
 * writers the services use actually produce.
 */
import { Document, NodeIO } from '@gltf-transform/core'
import * as THREE from 'three'
import { OBJExporter } from 'three/examples/jsm/exporters/OBJExporter.js'
import { STLExporter } from 'three/examples/jsm/exporters/STLExporter.js'
import { USDZExporter } from 'three/examples/jsm/exporters/USDZExporter.js'
import { zipSync } from 'three/examples/jsm/libs/fflate.module.js'

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

/** A box of 12 triangles, as three.js's exporters see a scene. */
function boxScene(): THREE.Scene {
  const scene = new THREE.Scene()
  const material = new THREE.MeshStandardMaterial({ color: 0x8040c0 })
  scene.add(new THREE.Mesh(new THREE.BoxGeometry(1, 1, 1), material))
  scene.updateMatrixWorld()
  return scene
}

/** three.js's STLExporter: binary (84 + 50 × 12 bytes) or ASCII `solid exported … endsolid`. */
export function writeStl(binary: boolean): Buffer {
  const exporter = new STLExporter()
  return binary
    ? Buffer.from(exporter.parse(boxScene(), { binary: true }).buffer)
    : Buffer.from(exporter.parse(boxScene()), 'latin1')
}

/** three.js's OBJExporter: the box as OBJ text. */
export function writeObj(): string {
  return new OBJExporter().parse(boxScene())
}

/** three.js's USDZExporter: the box as `model.usda` in a stored, 64-byte-aligned ZIP. */
export async function writeUsdz(): Promise<Buffer> {
  return Buffer.from(await new USDZExporter().parseAsync(boxScene()))
}

/**
 * A ZIP written by fflate (the ZIP writer three.js's USDZExporter uses): each entry stored
 * (`level: 0`) or deflated, in the order given.
 */
export function writeZip(files: Record<string, string | Buffer>, level: 0 | 6 = 6): Buffer {
  const entries = Object.fromEntries(
    Object.entries(files).map(([name, data]) => [
      name,
      [typeof data === 'string' ? Buffer.from(data) : new Uint8Array(data), { level }] as const
    ])
  )
  return Buffer.from(zipSync(entries as Parameters<typeof zipSync>[0]))
}
