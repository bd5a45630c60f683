import * as path from 'node:path'

export interface ArtifactUpload {
  name: string
  /** Absolute download directory; paths inside the artifact are relative to it. */
  rootDirectory: string
  /** Absolute paths under rootDirectory. */
  files: string[]
  /** 1-90; undefined keeps the repository's default. */
  retentionDays?: number
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
 * `env` is what the client sees as process.env for the duration of the call.
 */
export async function uploadArtifact(
  upload: ArtifactUpload,
  env: NodeJS.ProcessEnv = process.env
): Promise<UploadedArtifact> {
  const missing = REQUIRED_ENV.filter(name => !env[name])
  if (missing.length > 0) throw new ArtifactEnvironmentError(missing)
  checkFiles(upload)

  const { DefaultArtifactClient } = await import('@actions/artifact')
  const response = await withProcessEnv(env, async () => {
    try {
      return await new DefaultArtifactClient().uploadArtifact(
        upload.name,
        upload.files,
        upload.rootDirectory,
        { retentionDays: upload.retentionDays }
      )
    } catch (error) {
      if (isNameConflict(error)) throw new ArtifactNameClashError(upload.name, { cause: error })
      throw error
    }
  })
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

// The client reads its configuration from process.env at several points of the upload, not
// once; the action runs one upload at a time, so swapping the environment for its duration is
// safe, and it lets tests give each upload its own runner environment.
async function withProcessEnv<T>(env: NodeJS.ProcessEnv, work: () => Promise<T>): Promise<T> {
  if (env === process.env) return work()
  const saved = { ...process.env }
  replaceProcessEnv(env)
  try {
    return await work()
  } finally {
    replaceProcessEnv(saved)
  }
}

function replaceProcessEnv(values: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) {
    if (values[name] === undefined) delete process.env[name]
  }
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) process.env[name] = value
  }
}
