/**
 * Uploads through the vendor's upload service (OUS), for the create action (DESIGN.md §2d).
 *
 * API:
 * - `uploadFiles(files, context)`: each `{path, name}` uploaded, results in input order as
 *   `{path, name, url, md5, bytes, deduplicated, sentBytes}`. `url` is the public URL a job
 *   takes; `name` is what the service names the file (so the URL's extension follows it).
 *   Rejects with the first failure (the other uploads are cancelled), the cancel's reason, or a
 *   DeadlineError at `context.deadline`. UploadError and UploadAuthError are refusals no retry
 *   fixes; their message names the file.
 * - `md5File(path, signal?)`: `{md5, bytes}` of a file in one streamed pass (for a dry run).
 * - `UploadContext` (client.ts): the API key and region (or `apiUrl`) of the gateway, the run's
 *   clock, signal and deadline, a log, and `onUploaded`, called with each file as it is done
 *   (what a cancelled or failed run still uploaded, for its outputs).
 *
 * How: a token per file from the gateway, the only request with the API key; then, at the
 * token's `globalDomain` (https, or http on this machine) with the token alone, a single upload
 * when the file is at most `blockSize`, else a block upload (init, the blocks `lackBlocks` names,
 * nothing when `deduplicated`), then the status until done (5) or failed (6, 8). Up to 4 files
 * and 2 blocks of each at once; every request goes through net/retry.ts and net/http.ts. Files
 * are hashed one at a time ahead of the uploads, so a large file is hashed while smaller ones are
 * sent; every read is a stream, and memory does not follow the files' sizes. A large file logs
 * its progress every 5 s.
 */
import { setMaxListeners } from 'node:events'
import { cancellationOf } from '../errors.js'
import { mapBounded } from '../providers/bounded.js'
import type { UploadContext } from './client.js'
import { type FileDigest, md5File } from './digest.js'
import { finishFile, sendFile, type UploadedFile, type UploadItem } from './upload-file.js'

export { UploadAuthError, UploadError } from './answers.js'
export { ASSET_TOKEN_PATHS, tokenUrl, type UploadContext, type UploadRegion } from './client.js'
export { type FileDigest, md5File } from './digest.js'
export { type UploadedFile, type UploadItem } from './upload-file.js'

/** Files uploaded at once. */
export const FILE_CONCURRENCY = 4

export async function uploadFiles(
  files: readonly UploadItem[],
  context: UploadContext
): Promise<UploadedFile[]> {
  if (files.length === 0) return []
  // Aborted by the cancel, by the first failure (stopping the other files, their hashing and
  // their status polls), and at the end (hashing nobody waits for any more).
  const all = new AbortController()
  // Every file waiting for its status listens to it, while its request lasts: not a leak.
  setMaxListeners(0, all.signal)
  const onAbort = (): void => all.abort(cancellationOf(context.signal))
  if (context.signal.aborted) onAbort()
  else context.signal.addEventListener('abort', onAbort, { once: true })
  const digests = hashInOrder(files, all.signal)
  const finishing: Array<Promise<UploadedFile>> = []
  try {
    const indexes = files.map((_, index) => index)
    await mapBounded(indexes, FILE_CONCURRENCY, all.signal, async (index, signal) => {
      const sent = await sendFile(files[index], await digests[index], context, signal)
      // Waiting for the service to finish a file holds no slot: the next file is sent meanwhile.
      const done = finishFile(sent, context, all.signal)
      done.catch(error => all.abort(error))
      finishing[index] = done
    })
    return await Promise.all(finishing)
  } finally {
    all.abort(cancellationOf(context.signal))
    context.signal.removeEventListener('abort', onAbort)
  }
}

/** One digest per file, hashed one after another from now on: reading files in turn is fastest. */
function hashInOrder(files: readonly UploadItem[], signal: AbortSignal): Promise<FileDigest>[] {
  let previous: Promise<unknown> = Promise.resolve()
  return files.map(file => {
    const digest = previous.then(() => md5File(file.path, signal))
    // Hashing goes on after a file that failed to hash: its own upload reports that failure.
    previous = digest.catch(() => undefined)
    // Unawaited when an earlier upload failed first; its rejection is no one's to report.
    digest.catch(() => undefined)
    return digest
  })
}
