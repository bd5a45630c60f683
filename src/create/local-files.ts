/**
 * The create action's reads of the workspace: the files `files` matches (with @actions/glob,
 * as upload-artifact uses it), the file behind an `image` or `cover` path, and each file's MD5
 * in one streamed pass (memory does not follow the file's size).
 */
import { stat } from 'node:fs/promises'
import * as path from 'node:path'
import type { Ref } from './inputs.js'
import type { LocalFile } from './plan.js'

/** The files (not folders) the patterns match; relative patterns start at the workspace. */
export async function matchFiles(
  patterns: readonly string[],
  workspace: string
): Promise<LocalFile[]> {
  const { create } = await import('@actions/glob')
  const anchored = patterns.map(pattern => {
    const negated = pattern.startsWith('!')
    const body = negated ? pattern.slice(1) : pattern
    const absolute = path.isAbsolute(body) ? body : path.join(workspace, body)
    return `${negated ? '!' : ''}${absolute}`
  })
  const globber = await create(anchored.join('\n'), {
    matchDirectories: false,
    followSymbolicLinks: true
  })
  const files: LocalFile[] = []
  for await (const file of globber.globGenerator()) {
    const info = await stat(file)
    if (info.isFile()) files.push(localFile(file, info.size, workspace))
  }
  return files
}

/** The file behind a path input, or why it cannot be used. */
export async function statRef(
  ref: Extract<Ref, { kind: 'file' }>,
  name: string,
  workspace: string
): Promise<{ file: LocalFile } | { problem: string }> {
  try {
    const info = await stat(ref.path)
    if (!info.isFile()) {
      return { problem: `'${name}' names ${JSON.stringify(ref.given)}, which is not a file.` }
    }
    if (info.size === 0) {
      return { problem: `'${name}' names ${JSON.stringify(ref.given)}, which is empty (0 bytes).` }
    }
    return { file: localFile(ref.path, info.size, workspace) }
  } catch {
    return {
      problem: `'${name}' names ${JSON.stringify(ref.given)}, which does not exist in the workspace. A value that is not an https:// link is a path.`
    }
  }
}

function localFile(file: string, bytes: number, workspace: string): LocalFile {
  const relative = path.relative(workspace, file)
  return {
    path: file,
    relative: relative.startsWith('..') ? file : relative.split(path.sep).join('/'),
    bytes
  }
}
