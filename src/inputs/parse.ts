/**
 * Reads and checks every input before any request, collecting all problems into one
 * InputError, so that a user fixes their workflow in one go. Pure: `read` gives the raw inputs
 * and `env` the runner's variables.
 */
import type { AssetFormat } from '../domain/formats.js'
import { ActionError } from '../errors.js'
import { DEFAULTS, type InputName, SECRET_INPUTS } from './contract.js'
import { type ApiChoice, chooseApi, PROVIDERS, REGIONS } from './credentials.js'
import {
  checkLux3dIds,
  checkSecretLength,
  oneOf,
  parseArtifactName,
  parseBoolean,
  parseDownload,
  parseDownloadDir,
  parseDurationInput,
  parseSizeInput,
  parseTaskIds,
  parseWholeNumber
} from './fields.js'

/** Far above any repository's limit (400 days at most); only guards the expiry date. */
const MAX_RETENTION_DAYS = 36_500

export const FAIL_ON = ['any', 'all', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]
const CACHE = ['auto', 'true', 'false'] as const

/** The vendor asks clients not to poll more often than this. */
export const VENDOR_MIN_POLL_MS = 5000

export interface Config {
  taskIds: string[]
  api: ApiChoice
  pollIntervalMs: number
  timeoutMs: number
  failOn: FailOn
  /** Formats to download; empty for `none`; every format for `all`. */
  download: AssetFormat[]
  /** `download: all`: whatever the API delivers, with no word on formats a task lacks. */
  downloadAll: boolean
  /** Absolute. */
  downloadDir: string
  uploadArtifact: boolean
  artifactName: string
  retentionDays: number | undefined
  /** Connections for one large file, as ranges: 1-16 (default 4). */
  downloadConnections: number
  /** 0-9; undefined: 0 when every file is SPZ or SOG (already compressed), else 6. */
  compressionLevel: number | undefined
  /** Keep verified files in the runner's tool cache and reuse them. */
  cache: boolean
  maxGaussians: number | undefined
  /** Triangles per GLB or STL file. */
  maxTriangles: number | undefined
  maxFileSizeBytes: number | undefined
  githubToken: string | undefined
  checkName: string
  /** Things worth telling the user that do not stop the run. */
  notices: string[]
  warnings: string[]
}

export class InputError extends ActionError {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid input: ${problems[0]}`
        : `${problems.length} inputs are invalid:\n${problems.map(p => `  - ${p}`).join('\n')}`
    )
  }
}

export interface InputContext {
  /** GITHUB_WORKSPACE: relative paths resolve against it. */
  workspace: string
  env: NodeJS.ProcessEnv
}

export function parseInputs(read: (name: InputName) => string, context: InputContext): Config {
  const problems: string[] = []
  const notices: string[] = []
  const warnings: string[] = []
  const value = (name: InputName): string => {
    const raw = read(name).trim()
    return raw === '' && name in DEFAULTS ? DEFAULTS[name as keyof typeof DEFAULTS] : raw
  }

  for (const name of SECRET_INPUTS) checkSecretLength(name, value(name), problems)
  const taskIds = parseTaskIds(value('task-ids'), problems, notices)
  const provider = oneOf('provider', value('provider'), PROVIDERS, problems)
  const region = oneOf('region', value('region'), REGIONS, problems)
  const api = chooseApi(value, provider, region, problems, notices)
  if (provider === 'lux3d') checkLux3dIds(taskIds, problems)

  const pollIntervalMs = parseDurationInput('poll-interval', value('poll-interval'), problems)
  const timeoutMs = parseDurationInput('timeout', value('timeout'), problems)
  if (timeoutMs !== undefined && timeoutMs < 60_000) {
    warnings.push(
      `'timeout' is ${value('timeout')}, under a minute: a plain number is seconds (timeout: 30 waits 30 seconds). Write 30m for minutes; reconstructions take minutes to hours.`
    )
  }
  if (pollIntervalMs !== undefined && pollIntervalMs < VENDOR_MIN_POLL_MS) {
    warnings.push(
      `'poll-interval' is ${value('poll-interval')}; the Aholo service asks clients not to poll more often than every 5s.`
    )
  }

  const failOn = oneOf('fail-on', value('fail-on'), FAIL_ON, problems)
  const download = parseDownload(value('download'), problems)
  const downloadDir = parseDownloadDir(value('download-dir'), context.workspace, problems)
  const uploadArtifact = parseBoolean('upload-artifact', value('upload-artifact'), problems)
  if (uploadArtifact && download.length === 0) {
    problems.push(
      `'upload-artifact' is true but 'download' is "none": there would be nothing to upload. Set 'download' to all or a list of formats.`
    )
  }
  if (uploadArtifact && isEnterpriseServer(context.env.GITHUB_SERVER_URL)) {
    problems.push(
      `'upload-artifact' is true, but this runner belongs to GitHub Enterprise Server (${context.env.GITHUB_SERVER_URL}), whose artifact service this action's uploader (@actions/artifact v2 and later) does not support. Set 'upload-artifact' to false and upload 'download-dir' with a GHES-compatible upload step (actions/upload-artifact@v3 on GHES).`
    )
  }
  const downloadConnections =
    parseWholeNumber(
      'download-connections',
      value('download-connections'),
      { min: 1, max: 16, rule: 'a whole number from 1 to 16 (1: one connection per file)' },
      problems
    ) ?? 4
  const artifactName = parseArtifactName(value('artifact-name'), problems)
  const retentionDays = parseWholeNumber(
    'retention-days',
    value('retention-days'),
    // No cap of 90 here: the repository's setting may allow more (private repositories up to
    // 400 days), and the artifact client and service cap what it does not allow, as with
    // actions/upload-artifact. The ceiling only keeps the expiry a valid date.
    {
      min: 1,
      max: MAX_RETENTION_DAYS,
      rule: `a whole number of days from 1 to ${MAX_RETENTION_DAYS} (the repository's setting caps it, 90 by default), or empty for the repository's default`
    },
    problems
  )
  const compressionLevel = parseWholeNumber(
    'compression-level',
    value('compression-level'),
    {
      min: 0,
      max: 9,
      rule: 'a whole number from 0 (store) to 9 (smallest), or empty for the default'
    },
    problems
  )
  const cacheChoice = oneOf('cache', value('cache'), CACHE, problems)
  const maxGaussians = parseWholeNumber(
    'max-gaussians',
    value('max-gaussians'),
    {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      rule: 'a positive whole number of splats, or empty for no limit'
    },
    problems
  )
  const maxTriangles = parseWholeNumber(
    'max-triangles',
    value('max-triangles'),
    {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      rule: 'a positive whole number of triangles, or empty for no limit'
    },
    problems
  )
  const maxFileSizeBytes = parseSizeInput('max-file-size', value('max-file-size'), problems)
  const githubToken = value('github-token') || undefined
  const checkName = value('check-name')
  if (checkName.length > 100) {
    problems.push(`'check-name' must be at most 100 characters; got ${checkName.length}.`)
  }

  if (problems.length > 0 || !api || !pollIntervalMs || !timeoutMs || !failOn || !cacheChoice) {
    throw new InputError(problems)
  }
  return {
    taskIds,
    api,
    pollIntervalMs,
    timeoutMs,
    failOn,
    download,
    downloadAll: value('download').toLowerCase() === 'all',
    downloadDir,
    uploadArtifact,
    artifactName,
    retentionDays,
    downloadConnections,
    compressionLevel,
    // GitHub-hosted runners start empty: a cache there would cost time and save none.
    cache:
      cacheChoice === 'auto'
        ? context.env.RUNNER_ENVIRONMENT === 'self-hosted'
        : cacheChoice === 'true',
    maxGaussians,
    maxTriangles,
    maxFileSizeBytes,
    githubToken,
    checkName,
    notices,
    warnings
  }
}

/** GitHub Enterprise Server: a server URL other than github.com or a GHE.com tenant. */
export function isEnterpriseServer(serverUrl: string | undefined): boolean {
  if (!serverUrl) return false
  let host: string
  try {
    host = new URL(serverUrl).hostname.toLowerCase()
  } catch {
    return false
  }
  return host !== 'github.com' && !host.endsWith('.ghe.com')
}
