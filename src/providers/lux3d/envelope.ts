/**
 * Lux3D's answers, read (DESIGN.md §2c): an HTTP status and body become a task, a page of the
 * list, `not-found`, a Fault worth another try, or a typed error. HTTP 200 carries the envelope
 * `{c, m, d, f}`, a success only when `c === "0"`; a refusal may carry the envelope, World's
 * ApiError, or nothing. Pure.
 */
import { isRecord } from '../../domain/json.js'
import type { TaskState } from '../../domain/task-state.js'
import { ActionError } from '../../errors.js'
import { Fault } from '../../net/retry.js'
import type { RawAnswer } from '../gateway-request.js'
import { clip, describeApiError, parseApiError } from '../world/api-error.js'
import { KEYS_PAGES, type WorldRegion } from '../world/envelope.js'
import { parseWithExactIds } from './exact-ids.js'

/** The statuses of a task in progress, each listed on its own (the list takes one status). */
export const IN_PROGRESS_STATUSES = [0, 1] as const

const STATES: ReadonlyMap<number, TaskState> = new Map([
  [0, 'queued'],
  [1, 'running'],
  [3, 'succeeded'],
  [4, 'failed'],
  [6, 'cancelled']
])

/** Maps the service's status; a number it may add later is `unknown`, and not final. */
export function stateOfLux3dStatus(status: number): TaskState {
  return STATES.get(status) ?? 'unknown'
}

export function isInProgressStatus(status: number): boolean {
  return (IN_PROGRESS_STATUSES as readonly number[]).includes(status)
}

/** One task as the service described it. */
export interface Lux3dTask {
  /** Exact decimal digits (an int64 on the wire). */
  taskId: string
  status: number
  /** `d.outputs` as it came: read by outputs.ts. */
  outputs: unknown
}

export interface Lux3dPage {
  page: number
  totalCount?: number
  hasMore: boolean
  /** The list has no outputs. */
  tasks: Lux3dTask[]
}

/** What was asked, for messages: one task, or the account's list. */
export type Subject = { kind: 'task'; taskId: string } | { kind: 'list' }

/** `c` other than "0", or a refusal no retry fixes; carries what the service said. */
export class Lux3dApiError extends ActionError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly httpStatus: number,
    readonly code: string | undefined
  ) {
    super(message, hint)
  }
}

/** 401: the key is missing, wrong or revoked. */
export class Lux3dAuthError extends Lux3dApiError {}

/** An answer that is not the documented shape: most often `api-url` points elsewhere. */
export class Lux3dResponseError extends ActionError {
  constructor(message: string) {
    super(
      `Unexpected answer from the Aholo Lux3D API: ${message}`,
      "Check 'api-url' (empty means the region's own gateway)."
    )
  }
}

/** A task, or `not-found` (HTTP 404, or `d` null); throws a Fault or a typed error otherwise. */
export function interpretTask(
  answer: RawAnswer,
  taskId: string,
  region: WorldRegion
): Lux3dTask | 'not-found' {
  if (answer.status === 404) return 'not-found'
  const subject: Subject = { kind: 'task', taskId }
  const d = readData(answer, subject, region)
  if (d === null || d === undefined) return 'not-found'
  const task = parseTask(d)
  if (!task) throw malformed(`the task ${taskId} has no taskId or status`)
  // The query named the task: an answer that names another (a mirror's bug) still speaks of it.
  return { ...task, taskId }
}

/** One page of the account's tasks in one status; throws a Fault or a typed error otherwise. */
export function interpretList(answer: RawAnswer, region: WorldRegion): Lux3dPage {
  const d = readData(answer, { kind: 'list' }, region)
  if (!isRecord(d) || (d.items !== undefined && d.items !== null && !Array.isArray(d.items))) {
    throw malformed('the list is not {items: [...], total, page, pageSize}')
  }
  const items = Array.isArray(d.items) ? d.items : []
  // The list carries the account's other tasks too: one odd record must not stop the wait.
  const tasks = items.flatMap(item => parseTask(item) ?? [])
  const total = wholeNumber(d.total)
  const page = wholeNumber(d.page) ?? 1
  const pageSize = wholeNumber(d.pageSize)
  const hasMore =
    total !== undefined && pageSize !== undefined && pageSize > 0
      ? page * pageSize < total
      : items.length > 0
  return { page, totalCount: total, hasMore, tasks }
}

/** `d` of a success; every other answer becomes the Fault or error it stands for. */
function readData(answer: RawAnswer, subject: Subject, region: WorldRegion): unknown {
  const { status, retryAfterMs } = answer
  const text = answer.body.replace(/^\uFEFF/, '')
  let json: unknown
  let parsed = true
  try {
    json = parseWithExactIds(text)
  } catch {
    parsed = false
  }
  const said = describeAnswer(status, parsed ? json : undefined)
  if (status === 429 || status === 408 || status >= 500) {
    const wait = retryAfterMs !== undefined ? `, Retry-After ${retryAfterMs} ms` : ''
    throw new Fault(`${said}${wait}`, `HTTP ${status}`, retryAfterMs)
  }
  if (status < 200 || status >= 300) throw refusal(status, json, subject, region, said)
  // Proxies and gateways answer with HTML pages under 200; these pass.
  if (!parsed) {
    throw new Fault(
      `the answer is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`,
      'not JSON'
    )
  }
  if (!isRecord(json) || !('c' in json)) {
    throw new Lux3dResponseError(`HTTP ${status} without the envelope {c, m, d}.`)
  }
  if (json.c !== '0') {
    const what = subject.kind === 'task' ? `task ${subject.taskId}` : "the account's task list"
    throw new Lux3dApiError(
      `The Aholo Lux3D API refused the request for ${what}: ${said}`,
      undefined,
      status,
      codeOf(json.c)
    )
  }
  return json.d
}

function refusal(
  status: number,
  json: unknown,
  subject: Subject,
  region: WorldRegion,
  said: string
): Error {
  const what = subject.kind === 'task' ? `task ${subject.taskId}` : "the account's task list"
  const code = isRecord(json) ? codeOf(json.c) : undefined
  if (status === 401) {
    return new Lux3dAuthError(
      `The Aholo Lux3D API refused the API key: ${said}`,
      `Check the 'api-key' input: keys are made on the Aholo Labs "API keys" page ` +
        `(${KEYS_PAGES.cn} for region cn, ${KEYS_PAGES.global} for region global); ` +
        `'region' is ${region}, and must match the site the key comes from.`,
      status,
      code
    )
  }
  return new Lux3dApiError(
    `The Aholo Lux3D API refused the request for ${what}: ${said}`,
    status === 403
      ? "A key without access to a task is a setup error, not a task outcome: check 'task-ids', and that 'api-key' belongs to the account that owns the task."
      : undefined,
    status,
    code
  )
}

/**
 * `HTTP 200 (c 10001: 任务不存在)`, `HTTP 401 UNAUTHENTICATED: Invalid API key (…)`, or just
 * `HTTP 502`: whichever of the envelope or the ApiError the body is.
 */
export function describeAnswer(status: number, json: unknown): string {
  if (isRecord(json) && 'c' in json) {
    const code = codeOf(json.c)
    const message = typeof json.m === 'string' && json.m.trim() !== '' ? clip(json.m.trim()) : ''
    const parts = [code === undefined ? 'no c' : `c ${code}`, message].filter(part => part !== '')
    return `HTTP ${status} (${parts.join(': ')})`
  }
  return describeApiError(status, parseApiError(json))
}

function parseTask(raw: unknown): Lux3dTask | undefined {
  if (!isRecord(raw)) return undefined
  const taskId = typeof raw.taskId === 'string' && /^\d+$/.test(raw.taskId) ? raw.taskId : undefined
  if (taskId === undefined || !Number.isInteger(raw.status)) return undefined
  return { taskId, status: raw.status as number, outputs: raw.outputs }
}

function codeOf(c: unknown): string | undefined {
  return typeof c === 'string' || typeof c === 'number' ? clip(String(c)) : undefined
}

function wholeNumber(value: unknown): number | undefined {
  return Number.isInteger(value) ? (value as number) : undefined
}

function malformed(what: string): Fault {
  return new Fault(`a malformed answer: ${what}`, 'malformed answer')
}
