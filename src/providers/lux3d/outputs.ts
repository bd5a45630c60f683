/**
 * Lux3D's outputs are positional and unlabelled (DESIGN.md §2c): each `content` is a URL whose
 * file name says the format, `NOT_REQUESTED` for a slot not asked for, or (image-to-four-view) a
 * JSON-array string of four image URLs. Pure.
 */
import type { AssetKind, AssetLink } from '../../domain/formats.js'
import { isRecord } from '../../domain/json.js'

/** What a slot not asked for holds (v3.0-standard and v2.0-preview's five slots). */
export const NOT_REQUESTED = 'NOT_REQUESTED'

/**
 * File-name endings, the longer first: `_obj.zip` and `_fbx.zip` before the bundle's `.zip`.
 * `.ply` is G1's 3DGS splats (`gaussian.ply`).
 */
const ENDINGS: ReadonlyArray<[string, AssetKind]> = [
  ['_obj.zip', 'obj'],
  ['_fbx.zip', 'fbx'],
  ['.zip', 'zip'],
  ['.glb', 'glb'],
  ['.usdz', 'usdz'],
  ['.fbx', 'fbx'],
  ['.stl', 'stl'],
  ['.3mf', '3mf'],
  ['.ply', 'ply'],
  ['.png', 'image'],
  ['.jpg', 'image'],
  ['.jpeg', 'image'],
  ['.webp', 'image']
]

/** The task's links in the service's order: empty slots skipped, four-view arrays spread. */
export function linksOfOutputs(outputs: unknown): AssetLink[] {
  if (!Array.isArray(outputs)) return []
  return outputs.flatMap(output => {
    const content = isRecord(output) ? output.content : undefined
    if (typeof content !== 'string') return []
    const text = content.trim()
    if (text === '' || text === NOT_REQUESTED) return []
    const urls = text.startsWith('[') ? urlsOfArray(text) : [text]
    return urls.map(url => ({ format: formatOfUrl(url), url }))
  })
}

/** The format a URL's file name says; `other` for any other name, or what is not an http(s) URL. */
export function formatOfUrl(text: string): AssetKind {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'other'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'other'
  const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1)
  let name: string
  try {
    name = decodeURIComponent(last).toLowerCase()
  } catch {
    name = last.toLowerCase()
  }
  return ENDINGS.find(([ending]) => name.endsWith(ending) && name !== ending)?.[1] ?? 'other'
}

/** A four-view `content`: its strings, each a link of its own; what is not an array stays whole. */
function urlsOfArray(text: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return [text]
  }
  if (!Array.isArray(parsed)) return [text]
  return parsed.flatMap(item =>
    typeof item === 'string' && item.trim() !== '' ? [item.trim()] : []
  )
}
