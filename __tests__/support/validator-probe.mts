/**
 * `node --import tsx validator-probe.mts <ply> <glb>`: verifies a PLY, then a GLB, and prints
 * whether Khronos's glTF validator (a CommonJS package, so it shows in the CommonJS module cache
 * once imported) was loaded after each. Run in a fresh process, so nothing else loaded it.
 */
import { createRequire } from 'node:module'
import { verifyAsset } from '../../src/assets/verify.js'

const require = createRequire(import.meta.url)
const loaded = (): boolean => Object.keys(require.cache).some(key => key.includes('gltf-validator'))
const [ply, glb] = process.argv.slice(2)
await verifyAsset(ply, 'ply')
const afterPly = loaded()
const info = await verifyAsset(glb, 'glb')
console.log(JSON.stringify({ afterPly, afterGlb: loaded(), triangles: info.triangles }))
