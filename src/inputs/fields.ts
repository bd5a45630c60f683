/**
 * Parsers of single input values. Each returns the value, or pushes a problem that names the
 * input, the value (never a secret's) and the rule, so that all problems are reported at once.
 */
import * as path from 'node:path'
import { ASSET_FORMATS, type AssetFormat } from '../domain/formats.js'
import { isLoopbackHost } from '../net/url-policy.js'
import { MIN_SECRET_LENGTH } from '../report/redact.js'
import { parseDuration, parseSize } from '../units.js'
import type { InputName } from './contract.js'
import type { CreateInputName } from './create-contract.js'

export type Problems = string[]
/** An input of either action: the parsers serve both. */
export type FieldName = InputName | CreateInputName

/** A credential is one token: a space or line break is a paste error, shown without the value. */
export function singleToken(name: FieldName, text: string, problems: Problems): string {
  if (/\s/.test(text)) {
    problems.push(`'${name}' must not contain spaces or line breaks (its value is not shown).`)
  }
  return text
}

/** A secret too short to scrub safely is refused (report/redact.ts), its value never shown. */
export function checkSecretLength(name: FieldName, text: string, problems: Problems): void {
  if (text !== '' && text.length < MIN_SECRET_LENGTH) {
    problems.push(
      `'${name}' is shorter than ${MIN_SECRET_LENGTH} characters (its value is not shown): a secret that short cannot be kept out of logs and outputs without garbling ordinary words. Check that the whole value is passed.`
    )
  }
}

export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/** Ids one step waits for: the scale every limit (outputs, summary, memory) is measured at. */
export const MAX_TASK_IDS = 5000

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

export function parseTaskIds(text: string, problems: Problems, notices: string[]): string[] {
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
  if (unique.length > MAX_TASK_IDS) {
    problems.push(
      `'task-ids' lists ${unique.length} ids; at most ${MAX_TASK_IDS} are waited for in one step. Split them over several steps or jobs (a matrix).`
    )
  }
  if (unique.length < list.items.length) {
    const dropped = list.items.length - unique.length
    notices.push(
      `'task-ids' lists ${dropped} duplicate id${dropped === 1 ? '' : 's'}; each task is waited for once.`
    )
  }
  return unique
}

/**
 * Lux3D's task ids are int64 numbers: 1-19 digits, and no leading zero, since the service answers
 * for `007` as `7` and the two would never meet. Compared as exact decimal strings, never as
 * numbers (beyond 2^53 a number loses digits).
 */
export const LUX3D_TASK_ID_PATTERN = /^[1-9][0-9]{0,18}$/

export function checkLux3dIds(ids: readonly string[], problems: Problems): void {
  const bad = ids.filter(id => !LUX3D_TASK_ID_PATTERN.test(id))
  if (bad.length === 0) return
  const shown = bad.slice(0, 5).map(id => JSON.stringify(abbreviate(id)))
  const more = bad.length > 5 ? ` and ${bad.length - 5} more` : ''
  problems.push(
    `'task-ids' has ${bad.length === 1 ? 'an id' : `${bad.length} ids`} that ${bad.length === 1 ? 'is' : 'are'} not a Lux3D task id: ${shown.join(', ')}${more}. With 'provider: lux3d' each id is a whole number of 1-19 digits without a leading zero.`
  )
}

/** An origin, or an origin and a path (a mirror under a sub-path); https, or http on loopback. */
export function parseApiUrl(text: string, example: string, problems: Problems): URL | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.push(
      `'api-url' must be an absolute URL such as ${example}; got ${JSON.stringify(text)}.`
    )
    return undefined
  }
  const rule = `'api-url' must be an https:// URL (http:// only for localhost, ::1 or 127.x.x.x) without credentials, query or fragment`
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

/**
 * The longest `poll-interval` or `timeout`: 24 days, a round number under what a Node timer
 * holds (24.8 days), so that the limit the message states is the limit enforced.
 */
export const MAX_DURATION_MS = 576 * 60 * 60 * 1000

/** A positive duration of at most MAX_DURATION_MS. */
export function parseDurationInput(
  name: FieldName,
  text: string,
  problems: Problems
): number | undefined {
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0) {
    problems.push(
      `'${name}' must be a positive duration such as 500ms, 10s, 2m, 1h or plain seconds (30); got ${JSON.stringify(text)}.`
    )
    return undefined
  }
  if (ms > MAX_DURATION_MS) {
    problems.push(`'${name}' must be at most 24 days (576h); got ${JSON.stringify(text)}.`)
    return undefined
  }
  return ms
}

export function oneOf<T extends string>(
  name: FieldName,
  text: string,
  allowed: readonly T[],
  problems: Problems
): T | undefined {
  if ((allowed as readonly string[]).includes(text)) return text as T
  problems.push(`'${name}' must be one of ${allowed.join(', ')}; got ${JSON.stringify(text)}.`)
  return undefined
}

export function parseDownload(text: string, problems: Problems): AssetFormat[] {
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

export function parseDownloadDir(text: string, workspace: string, problems: Problems): string {
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

export function parseBoolean(name: FieldName, text: string, problems: Problems): boolean {
  // The YAML 1.2 core schema's spellings, as core.getBooleanInput accepts.
  if (['true', 'True', 'TRUE'].includes(text)) return true
  if (['false', 'False', 'FALSE'].includes(text)) return false
  problems.push(`'${name}' must be true or false; got ${JSON.stringify(text)}.`)
  return false
}

// The characters the artifact service refuses in a name.
const ARTIFACT_NAME_FORBIDDEN = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']

export function parseArtifactName(text: string, problems: Problems): string {
  const forbidden = ARTIFACT_NAME_FORBIDDEN.filter(ch => text.includes(ch))
  if (text === '' || forbidden.length > 0) {
    problems.push(
      `'artifact-name' must be a non-empty name without any of ${ARTIFACT_NAME_FORBIDDEN.map(c => JSON.stringify(c)).join(' ')}; got ${JSON.stringify(text)}.`
    )
  }
  return text
}

/** A whole number in [min, max], or undefined for an empty value. */
export function parseWholeNumber(
  name: FieldName,
  text: string,
  range: { min: number; max: number; rule: string },
  problems: Problems
): number | undefined {
  if (text === '') return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    problems.push(`'${name}' must be ${range.rule}; got ${JSON.stringify(abbreviate(text))}.`)
    return undefined
  }
  return value
}

export function parseSizeInput(
  name: FieldName,
  text: string,
  problems: Problems
): number | undefined {
  if (text === '') return undefined
  const bytes = parseSize(text)
  if (bytes === undefined || bytes <= 0) {
    problems.push(
      `'${name}' must be a whole number of bytes written as a size such as 150MB or 2GiB (kB, MB, GB are powers of 10; KiB, MiB, GiB powers of 2; a plain number is bytes), or empty for no limit; got ${JSON.stringify(abbreviate(text))}.`
    )
    return undefined
  }
  return bytes
}

export function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
