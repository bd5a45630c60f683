import type { AssetFormat } from '../domain/formats.js'

/** Room for the temporary name's prefix and suffix under the usual 255-byte limit. */
const MAX_NAME_LENGTH = 200

/** The endings a file of each format may have; the first is added when the name has none. */
const EXTENSIONS: Record<AssetFormat, readonly string[]> = {
  ply: ['.ply'],
  spz: ['.spz'],
  sog: ['.sog'],
  glb: ['.glb'],
  usdz: ['.usdz'],
  // Lux3D zips OBJ with its materials and textures (`_obj.zip`); FBX may come zipped or bare.
  obj: ['.zip', '.obj'],
  fbx: ['.zip', '.fbx'],
  stl: ['.stl'],
  '3mf': ['.3mf'],
  zip: ['.zip'],
  image: ['.png', '.jpg', '.jpeg', '.webp']
}

/** The name when the URL gives none worth keeping. */
const FALLBACK_STEMS: Record<AssetFormat, string> = {
  ply: 'point_cloud',
  spz: 'point_cloud',
  sog: 'point_cloud',
  glb: 'model',
  usdz: 'model',
  obj: 'model_obj',
  fbx: 'model_fbx',
  stl: 'model',
  '3mf': 'model',
  zip: 'results',
  image: 'image'
}

/**
 * The file name for an asset (DESIGN.md §5): the URL's last path segment reduced to
 * `[A-Za-z0-9._-]`, else `point_cloud.<ext>` (`model.<ext>` for meshes).
 *
 * Beyond the letter of §5: leading dots are dropped (no hidden files, and no clash with the
 * `.<name>.*.part` temporary names), and the format's extension is added when the segment lacks
 * it, so that two formats served from one path (`/get?format=ply`, `/get?format=spz`) cannot
 * overwrite each other in the task's folder.
 */
export function assetFileName(url: string, format: AssetFormat): string {
  const extensions = EXTENSIONS[format]
  const reduced = lastSegment(url).replace(/[^A-Za-z0-9._-]/g, '')
  let name = reduced.replace(/^\.+/, '')
  // Nothing left, or only the extension (`场景.ply`): no name worth keeping.
  if (name === '' || extensions.includes(reduced.toLowerCase())) {
    return `${FALLBACK_STEMS[format]}${extensions[0]}`
  }
  if (!extensions.some(extension => name.toLowerCase().endsWith(extension))) name += extensions[0]
  if (name.length > MAX_NAME_LENGTH) name = name.slice(-MAX_NAME_LENGTH).replace(/^\.+/, '')
  return name
}

/**
 * `name` unless `taken` has it (case-insensitively: macOS and Windows file systems ignore
 * case), else `name` with `-2`, `-3`… before its extension; the chosen name is added to `taken`.
 * Four views of one task may all be called `view.png`.
 */
export function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.')
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  let candidate = name
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${extension}`
  taken.add(candidate.toLowerCase())
  return candidate
}

function lastSegment(url: string): string {
  let pathname: string
  try {
    pathname = new URL(url).pathname
  } catch {
    pathname = url.split(/[?#]/, 1)[0]
  }
  const segment = pathname.split('/').pop() ?? ''
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
