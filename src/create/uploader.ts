/**
 * The port through which the create step uploads local files (the OUS client of src/upload/
 * plugs in here). The step hands over files and its deadline and cancellation; it gets back each
 * file's public URL.
 */
import type { Region } from '../inputs/credentials.js'
import type { Fault } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'

export interface UploadFile {
  /** Absolute. */
  path: string
  /** The file's own name: the public URL, and so the job's check of the extension, follow it. */
  name: string
}

export interface UploadedFile {
  path: string
  url: string
  /** Lower-case hex of the whole file. */
  md5: string
  bytes: number
  /** The service had the file already: nothing was sent. */
  deduplicated: boolean
}

export interface UploadContext {
  apiKey: string
  region: Region
  apiUrl: URL | undefined
  clock: Clock
  log: Log
  signal: AbortSignal
  /** On the clock's `now()`. */
  deadline: number
  onRetry(fault: Fault, nextAttempt: number, delayMs: number): void
}

export interface Uploader {
  /** One result per file, in order; throws when a file cannot be uploaded. */
  upload(files: readonly UploadFile[], context: UploadContext): Promise<UploadedFile[]>
}
