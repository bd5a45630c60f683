/**
 * Downloads stay where the step was told. A pull request can commit symbolic links, and
 * `aholo-assets`, or `aholo-assets/<taskId>`, as a link to a folder outside the workspace would
 * take the files (and the write probe) there, while the outputs name the workspace path. So the
 * real paths are resolved and checked before any request; the delivery then writes only below
 * folders checked here.
 */
import { lstat, readlink, realpath } from 'node:fs/promises'
import * as path from 'node:path'

/** Each way `downloadDir` or a task's folder in it leaves where it must stay; empty when none. */
export async function findEscapes(
  downloadDir: string,
  workspace: string,
  taskIds: readonly string[]
): Promise<string[]> {
  const problems: string[] = []
  const realWorkspace = await resolveReal(workspace)
  const realDownloadDir = await resolveReal(downloadDir)
  // An absolute `download-dir` outside the workspace is the user's own choice; one inside it
  // must stay inside once links are followed.
  if (isInside(downloadDir, workspace) && !isInside(realDownloadDir, realWorkspace)) {
    problems.push(
      `'download-dir' (${downloadDir}) resolves to ${realDownloadDir}, outside the workspace (${realWorkspace}), through a symbolic link; downloads never follow links out of the workspace.`
    )
  }
  const linked: string[] = []
  for (const taskId of taskIds) {
    const folder = path.join(downloadDir, taskId)
    const entry = await lstat(folder).catch(() => undefined)
    if (entry?.isSymbolicLink()) linked.push(`${folder} → ${await readlink(folder)}`)
  }
  if (linked.length > 0) {
    const shown = linked.slice(0, 5).join(', ')
    const more = linked.length > 5 ? ` and ${linked.length - 5} more` : ''
    problems.push(
      `'download-dir' holds a symbolic link where a task's folder goes (${shown}${more}); downloads never follow links. Remove the link, or choose another 'download-dir'.`
    )
  }
  return problems
}

/** `child` is `parent` or below it. */
function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** The real path of the nearest existing ancestor, with the parts that do not exist yet. */
async function resolveReal(target: string): Promise<string> {
  const rest: string[] = []
  let current = path.resolve(target)
  while (true) {
    try {
      return path.join(await realpath(current), ...rest)
    } catch {
      const parent = path.dirname(current)
      if (parent === current) return path.join(current, ...rest)
      rest.unshift(path.basename(current))
      current = parent
    }
  }
}
