import type { AssetFormat } from '../domain/formats.js'

/** Room for the temporary name's prefix and suffix under the usual 255-byte limit. */
const MAX_NAME_LENGTH = 200

/**
 * The file name for an asset (DESIGN.md §5): the URL's last path segment reduced to
 * `[A-Za-z0-9._-]`, else `point_cloud.<ext>`.
 *
 * Beyond the letter of §5: leading dots are dropped (no hidden files, and no clash with the
 * `.<name>.*.part` temporary names), and the format's extension is added when the segment lacks
 * it, so that two formats served from one path (`/get?format=ply`, `/get?format=spz`) cannot
 * overwrite each other in the task's folder.
 */
export function assetFileName(url: string, format: AssetFormat): string {
  const extension = `.${format}`
  const reduced = lastSegment(url).replace(/[^A-Za-z0-9._-]/g, '')
  let name = reduced.replace(/^\.+/, '')
  // Nothing left, or only the extension (`场景.ply`): no name worth keeping.
  if (name === '' || reduced.toLowerCase() === extension) return `point_cloud${extension}`
  if (!name.toLowerCase().endsWith(extension)) name += extension
  if (name.length > MAX_NAME_LENGTH) name = name.slice(-MAX_NAME_LENGTH).replace(/^\.+/, '')
  return name
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
