import * as path from 'node:path'
import { ASSET_FORMATS, type AssetFormat } from '../domain/formats.js'
import { isLoopbackHost } from '../net/url-policy.js'
import type { Credentials } from '../providers/open-platform/sign.js'
import { parseDuration } from '../units.js'
import { DEFAULTS, type InputName, SECRET_INPUTS } from './contract.js'

export const FAIL_ON = ['any', 'all', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/** The vendor asks clients not to poll more often than this. */
export const VENDOR_MIN_POLL_MS = 5000

export interface Config {
  taskIds: string[]
  credentials: Credentials
  apiUrl: URL
  pollIntervalMs: number
  timeoutMs: number
  failOn: FailOn
  /** Formats to download; empty for `none`. */
  download: AssetFormat[]
  /** Absolute. */
  downloadDir: string
  uploadArtifact: boolean
  artifactName: string
  retentionDays: number | undefined
  githubToken: string | undefined
  checkName: string
  /** Things worth telling the user that do not stop the run. */
  notices: string[]
  warnings: string[]
}

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid input: ${problems[0]}`
        : `${problems.length} inputs are invalid:\n${problems.map(p => `  - ${p}`).join('\n')}`
    )
    this.name = 'InputError'
  }
}

/**
 * Reads and checks every input, collecting all problems before throwing one InputError,
 * so a user fixes their workflow in one go. `read` returns '' for an input that is not set.
 */
export function parseInputs(read: (name: InputName) => string, workspace: string): Config {
  const problems: string[] = []
  const notices: string[] = []
  const warnings: string[] = []
  const value = (name: InputName): string => {
    const raw = read(name).trim()
    return raw === '' && name in DEFAULTS ? DEFAULTS[name as keyof typeof DEFAULTS] : raw
  }
  const show = (name: InputName, text: string): string =>
    SECRET_INPUTS.includes(name) ? '(hidden)' : JSON.stringify(text)

  const taskIds = parseTaskIds(value('task-ids'), problems, notices)

  const required = (name: InputName, hint: string): string => {
    const text = value(name)
    if (text === '') {
      problems.push(
        `'${name}' is required and is empty: set it to ${hint}. If it comes from a secret, check that the secret exists and is passed to this workflow (secrets are not passed to workflows run from forks or to reusable workflows without 'secrets:').`
      )
    } else if (/\s/.test(text)) {
      problems.push(`'${name}' must not contain spaces or line breaks; got ${show(name, text)}.`)
    }
    return text
  }
  const credentials: Credentials = {
    appKey: required('app-key', 'your open platform AppKey'),
    appSecret: required('app-secret', 'your open platform AppSecret'),
    appUid: required('app-uid', 'the appuid (third-party user id) the tasks belong to')
  }

  const apiUrl = parseApiUrl(value('api-url'), problems)

  const duration = (name: InputName): number | undefined => {
    const text = value(name)
    const ms = parseDuration(text)
    if (ms === undefined || ms <= 0) {
      problems.push(
        `'${name}' must be a positive duration such as 500ms, 10s, 2m, 1h or plain seconds (30); got ${show(name, text)}.`
      )
      return undefined
    }
    return ms
  }
  const pollIntervalMs = duration('poll-interval')
  const timeoutMs = duration('timeout')
  if (pollIntervalMs !== undefined && pollIntervalMs < VENDOR_MIN_POLL_MS) {
    warnings.push(
      `'poll-interval' is ${value('poll-interval')}; the Aholo service asks clients not to poll more often than every 5s.`
    )
  }

  const failOn = oneOf('fail-on', value('fail-on'), FAIL_ON, problems)
  const download = parseDownload(value('download'), problems)
  const downloadDir = parseDownloadDir(value('download-dir'), workspace, problems)
  const uploadArtifact = parseBoolean('upload-artifact', value('upload-artifact'), problems)
  if (uploadArtifact && download.length === 0) {
    problems.push(
      `'upload-artifact' is true but 'download' is "none": there would be nothing to upload. Set 'download' to all or a list of ply, spz, sog.`
    )
  }
  const artifactName = parseArtifactName(value('artifact-name'), problems)
  const retentionDays = parseRetentionDays(value('retention-days'), problems)
  const githubToken = value('github-token') || undefined
  const checkName = value('check-name')
  if (checkName.length > 100) {
    problems.push(`'check-name' must be at most 100 characters; got ${checkName.length}.`)
  }

  if (problems.length > 0) throw new InputError(problems)
  return {
    taskIds,
    credentials,
    apiUrl: apiUrl as URL,
    pollIntervalMs: pollIntervalMs as number,
    timeoutMs: timeoutMs as number,
    failOn: failOn as FailOn,
    download,
    downloadDir,
    uploadArtifact,
    artifactName,
    retentionDays,
    githubToken,
    checkName,
    notices,
    warnings
  }
}

/** Splits a list given as a JSON array or separated by newlines, commas or spaces. */
export function splitList(text: string): { items: string[] } | { error: string } {
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch (error) {
      return { error: `is not a valid JSON array (${(error as Error).message})` }
    }
    if (!Array.isArray(parsed) || parsed.some(item => typeof item !== 'string')) {
      return { error: 'must be a JSON array of strings' }
    }
    return { items: (parsed as string[]).map(item => item.trim()).filter(item => item !== '') }
  }
  return { items: trimmed.split(/[\s,]+/).filter(item => item !== '') }
}

function parseTaskIds(text: string, problems: string[], notices: string[]): string[] {
  const list = splitList(text)
  if ('error' in list) {
    problems.push(`'task-ids' ${list.error}; got ${JSON.stringify(abbreviate(text))}.`)
    return []
  }
  if (list.items.length === 0) {
    problems.push(
      `'task-ids' is required and is empty: give one or more task ids, separated by newlines, commas or spaces, or as a JSON array.`
    )
    return []
  }
  const bad = list.items.filter(id => !TASK_ID_PATTERN.test(id))
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map(id => JSON.stringify(abbreviate(id)))
    const more = bad.length > 5 ? ` and ${bad.length - 5} more` : ''
    problems.push(
      `'task-ids' has ${bad.length === 1 ? 'an id' : `${bad.length} ids`} that ${bad.length === 1 ? 'is' : 'are'} not valid: ${shown.join(', ')}${more}. Each id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.`
    )
  }
  const unique = [...new Set(list.items)]
  if (unique.length < list.items.length) {
    const dropped = list.items.length - unique.length
    notices.push(
      `'task-ids' lists ${dropped} duplicate id${dropped === 1 ? '' : 's'}; each task is waited for once.`
    )
  }
  return unique
}

function parseApiUrl(text: string, problems: string[]): URL | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.push(
      `'api-url' must be an absolute URL such as ${DEFAULTS['api-url']}; got ${JSON.stringify(text)}.`
    )
    return undefined
  }
  const rule = `'api-url' must be an https:// URL (http:// only for localhost) without credentials, query or fragment`
  if (url.username || url.password || url.search || url.hash) {
    problems.push(`${rule}; got ${JSON.stringify(url.origin + url.pathname)} with extra parts.`)
    return undefined
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    problems.push(`${rule}; got ${JSON.stringify(text)}.`)
    return undefined
  }
  url.pathname = url.pathname.replace(/\/+$/, '')
  return url
}


function oneOf<T extends string>(
  name: InputName,
  text: string,
  allowed: readonly T[],
  problems: string[]
): T | undefined {
  if ((allowed as readonly string[]).includes(text)) return text as T
  problems.push(`'${name}' must be one of ${allowed.join(', ')}; got ${JSON.stringify(text)}.`)
  return undefined
}

function parseDownload(text: string, problems: string[]): AssetFormat[] {
  const rule = `'download' must be none, all, or a list of ${ASSET_FORMATS.join(', ')}`
  const lowered = text.toLowerCase()
  if (lowered === 'none') return []
  if (lowered === 'all') return [...ASSET_FORMATS]
  const list = splitList(lowered)
  if ('error' in list || list.items.length === 0) {
    problems.push(`${rule}; got ${JSON.stringify(text)}.`)
    return []
  }
  const unknown = list.items.filter(item => !(ASSET_FORMATS as readonly string[]).includes(item))
  if (unknown.length > 0) {
    problems.push(
      `${rule}; got ${JSON.stringify(text)} (${unknown.map(u => JSON.stringify(u)).join(', ')} not allowed).`
    )
    return []
  }
  return ASSET_FORMATS.filter(format => list.items.includes(format))
}

function parseDownloadDir(text: string, workspace: string, problems: string[]): string {
  if (text.includes('\0')) {
    problems.push(`'download-dir' must be a path; got a value with a NUL byte.`)
    return ''
  }
  const resolved = path.resolve(workspace, text)
  if (!path.isAbsolute(text) && path.relative(workspace, resolved).startsWith('..')) {
    problems.push(
      `'download-dir' must stay inside the workspace when relative (use an absolute path such as \${{ runner.temp }}/assets to go elsewhere); got ${JSON.stringify(text)}.`
    )
  }
  return resolved
}

function parseBoolean(name: InputName, text: string, problems: string[]): boolean {
  // The YAML 1.2 core schema's spellings, as core.getBooleanInput accepts.
  if (['true', 'True', 'TRUE'].includes(text)) return true
  if (['false', 'False', 'FALSE'].includes(text)) return false
  problems.push(`'${name}' must be true or false; got ${JSON.stringify(text)}.`)
  return false
}

// The characters the artifact service refuses in a name.
const ARTIFACT_NAME_FORBIDDEN = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']

function parseArtifactName(text: string, problems: string[]): string {
  const forbidden = ARTIFACT_NAME_FORBIDDEN.filter(ch => text.includes(ch))
  if (text === '' || forbidden.length > 0) {
    problems.push(
      `'artifact-name' must be a non-empty name without any of ${ARTIFACT_NAME_FORBIDDEN.map(c => JSON.stringify(c)).join(' ')}; got ${JSON.stringify(text)}.`
    )
  }
  return text
}

function parseRetentionDays(text: string, problems: string[]): number | undefined {
  if (text === '') return undefined
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 90) {
    problems.push(
      `'retention-days' must be a whole number of days from 1 to 90, or empty for the repository's default; got ${JSON.stringify(text)}.`
    )
    return undefined
  }
  return Number(text)
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
