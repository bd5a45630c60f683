/** Checks early that downloads will have somewhere to go, before a single request is sent. */
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { errorMessage } from '../errors.js'

/**
 * Creates the folder, writes and removes a probe file. Returns why that failed (a file in the
 * way, no permission, a full disk), or undefined when the folder is usable.
 */
export async function probeDownloadDir(folder: string): Promise<string | undefined> {
  const probe = path.join(folder, `.aholo-probe-${randomBytes(4).toString('hex')}`)
  try {
    await mkdir(folder, { recursive: true })
    await writeFile(probe, 'probe')
  } catch (error) {
    return `'download-dir' (${folder}) cannot be written: ${errorMessage(error)}.`
  } finally {
    await rm(probe, { force: true }).catch(() => undefined)
  }
  return undefined
}
