/** Checks early that downloads will have somewhere to go, before a single request is sent. */
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { errorMessage, sentence } from '../errors.js'

/** A file system that has not answered by then (a hung mount, say) is as good as unwritable. */
const PROBE_TIME_LIMIT_MS = 10_000

/**
 * Creates the folder, writes and removes a probe file. Returns why that failed (a file in the
 * way, no permission, a full disk, no answer), or undefined when the folder is usable.
 */
export async function probeDownloadDir(folder: string): Promise<string | undefined> {
  const probe = path.join(folder, `.aholo-probe-${randomBytes(4).toString('hex')}`)
  let timer: NodeJS.Timeout | undefined
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`no answer from the file system within ${PROBE_TIME_LIMIT_MS / 1000} s`)),
      PROBE_TIME_LIMIT_MS
    )
    timer.unref()
  })
  try {
    // Node's recursive mkdir spins without end on some pseudo file systems (/proc): raced.
    await Promise.race([
      (async () => {
        await mkdir(folder, { recursive: true })
        await writeFile(probe, 'probe')
      })(),
      silence
    ])
  } catch (error) {
    return sentence(`'download-dir' (${folder}) cannot be written: ${errorMessage(error)}`)
  } finally {
    clearTimeout(timer)
    await rm(probe, { force: true }).catch(() => undefined)
  }
  return undefined
}
