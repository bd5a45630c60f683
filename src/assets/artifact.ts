/**
 * The artifact upload, through @actions/artifact, under the run's cancellation and a time limit
 * of its own.
 *
 * The client takes no AbortSignal, so the call is raced against the signal and a timer, and an
 * upload that loses the race is abandoned, not stopped. What it leaves running cannot be
 * reached from here: the Twirp client's request on a private http.Agent with no socket timeout
 * (a CreateArtifact or FinalizeArtifact that never answers holds its socket, ref'd, forever),
 * its retry sleeps (plain setTimeout, 5 tries), and during the blob upload the Azure SDK's
 * requests on its own agents, a 5-minute "progress stalled" setInterval and archiver's file
 * reads, all ref'd until the upload ends. So an abandoned upload may keep the process alive,
 * and may still log a line or two; index.ts exits the process once outputs and summary are
 * written, which cuts it.
 */
import * as path from 'node:path'
import type { AssetFormat } from '../domain/formats.js'
import { ActionError, cancellationOf } from '../errors.js'
import { boundedSignal, untilAborted } from '../runtime.js'
import { formatDuration } from '../units.js'

export interface ArtifactUpload {
  name: string
  /** Absolute download directory; paths inside the artifact are relative to it. */
  rootDirectory: string
  /** Absolute paths under rootDirectory. */
  files: string[]
  /** Days, 1 or more: the repository's setting caps it; undefined keeps its default. */
  retentionDays?: number
  /** zlib level of the ZIP, 0 (stored) to 9; undefined keeps the client's default, 6. */
  compressionLevel?: number
}

export interface UploadControl {
  /** The run's cancellation: the upload is abandoned at once, rejecting with its reason. */
  signal?: AbortSignal
  /** The whole upload, CreateArtifact to FinalizeArtifact (default 10 min). */
  timeLimitMs?: number
  /**
   * What the runner gave the step (default process.env), checked before any request and used
   * for the artifact's URL. The client itself reads process.env.
   */
  env?: NodeJS.ProcessEnv
}

export const DEFAULT_UPLOAD_TIME_LIMIT_MS = 10 * 60_000

/**
 * The ZIP's level when `compression-level` is empty: 0 (stored) when every file is SPZ or SOG,
 * whose bytes are compressed already (deflate saves under 0.3% on them and costs a core for the
 * whole upload), else the client's usual 6.
 */
export function defaultCompressionLevel(formats: readonly AssetFormat[]): number {
  return formats.length > 0 && formats.every(format => format === 'spz' || format === 'sog') ? 0 : 6
}

export interface UploadedArtifact {
  id: number
  /** The artifact on the run's page, as actions/upload-artifact reports it. */
  url: string
  /** SHA-256 (hex) of the uploaded ZIP. */
  digest: string
  /** Bytes uploaded: the ZIP's size. */
  size: number
}

/** The run already has an artifact of this name (the service answered 409 Conflict). */
export class ArtifactNameClashError extends Error {
  constructor(
    readonly artifactName: string,
    options?: ErrorOptions
  ) {
    super(
      `An artifact named "${artifactName}" already exists in this workflow run, and names must be unique within a run ` +
        `(another job of a matrix, another step, or an earlier attempt may have used it). ` +
        `Give 'artifact-name' a unique value, e.g. "${artifactName}-\${{ github.run_attempt }}", ` +
        `or in a matrix job add the matrix values: "${artifactName}-\${{ matrix.os }}".`,
      options
    )
    this.name = 'ArtifactNameClashError'
  }
}

/** The upload did not finish within its time limit; it was abandoned. */
export class ArtifactTimeoutError extends ActionError {
  constructor(readonly timeLimitMs: number) {
    super(
      `The artifact upload did not finish within ${formatDuration(timeLimitMs)}`,
      'The results service or its blob store did not answer in time; try again later.'
    )
  }
}

/** The runner did not provide what an upload needs: the step is not running as an action. */
export class ArtifactEnvironmentError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `Uploading an artifact needs ${missing.join(', ')} in the environment, which the runner sets for a step that ` +
        `runs the action with 'uses:'. Run it that way, or set 'upload-artifact' to false.`
    )
    this.name = 'ArtifactEnvironmentError'
  }
}

// ACTIONS_RUNTIME_TOKEN authorises the upload, ACTIONS_RESULTS_URL locates the service; the
// other two name the run whose page the artifact URL points at.
const REQUIRED_ENV = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RESULTS_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID'
] as const

/**
 * Uploads the files as one artifact (a ZIP of them, paths relative to rootDirectory).
 * Loads @actions/artifact only when called (dynamic import): it is most of the bundle, and
 * runs without uploads must not pay its start-up cost.
 */
export async function uploadArtifact(
  upload: ArtifactUpload,
  control: UploadControl = {}
): Promise<UploadedArtifact> {
  const env = control.env ?? process.env
  const missing = REQUIRED_ENV.filter(name => !env[name])
  if (missing.length > 0) throw new ArtifactEnvironmentError(missing)
  checkFiles(upload)
  const level = upload.compressionLevel
  if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
    throw new Error(`The compression level must be a whole number from 0 to 9; got ${level}.`)
  }
  if (control.signal?.aborted) throw cancellationOf(control.signal)

  const timeLimitMs = control.timeLimitMs ?? DEFAULT_UPLOAD_TIME_LIMIT_MS
  const bounded = boundedSignal(
    control.signal,
    timeLimitMs,
    () => new ArtifactTimeoutError(timeLimitMs)
  )
  let response: Awaited<ReturnType<typeof callClient>>
  try {
    response = await untilAborted(callClient(upload), bounded.signal)
  } finally {
    bounded.release()
  }
  if (response.id === undefined) {
    throw new Error(`The artifact service gave no id for the artifact "${upload.name}".`)
  }
  return {
    id: response.id,
    url: artifactUrl(env, response.id),
    digest: response.digest ?? '',
    size: response.size ?? 0
  }
}

async function callClient(upload: ArtifactUpload) {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  try {
    return await new DefaultArtifactClient().uploadArtifact(
      upload.name,
      upload.files,
      upload.rootDirectory,
      { retentionDays: upload.retentionDays, compressionLevel: upload.compressionLevel }
    )
  } catch (error) {
    if (isNameConflict(error)) throw new ArtifactNameClashError(upload.name, { cause: error })
    throw error
  }
}

/** Where the run page lists the artifact; the same URL actions/upload-artifact outputs. */
export function artifactUrl(env: NodeJS.ProcessEnv, id: number): string {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`
}

// The toolkit's own check is a string prefix test (`/dl` would accept `/dl2/x`) and it would
// store such a file under a mangled name: refuse it here, naming the file.
function checkFiles({ rootDirectory, files }: ArtifactUpload): void {
  if (files.length === 0) throw new Error('There are no files to upload as an artifact.')
  for (const file of files) {
    const relative = path.relative(rootDirectory, file)
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new Error(`Cannot upload ${file}: it is not inside ${rootDirectory}.`)
    }
  }
}

// @actions/artifact 6 has no typed error for this: its Twirp client turns any non-retryable
// status into `Failed to CreateArtifact: Received non-retryable error: Failed request: (409)
// Conflict: <msg>`. The method name and the status are the stable parts of that message.
function isNameConflict(error: unknown): boolean {
  return error instanceof Error && /^Failed to CreateArtifact: .*\(409\)/.test(error.message)
}
