/**
 * The World gateway's answers, read (DESIGN.md §2b): an HTTP status and body become a world, a
 * page of the list, `not-found`, a Fault worth another try, or a typed error. Pure.
 */
import type { AssetUrls } from '../../domain/formats.js'
import { fractionField, isRecord, textField, urlField } from '../../domain/json.js'
import type { TaskState } from '../../domain/task-state.js'
import { ActionError } from '../../errors.js'
import type { RawAnswer } from '../gateway-request.js'
import { LIST_PAGE_SIZE } from '../plan.js'
import { Fault } from '../../net/retry.js'
import {
  describeApiError,
  parseApiError,
  type ApiErrorInfo,
  type WorldRegion
} from './api-error.js'

export { describeApiError, parseApiError, type ApiErrorInfo, type WorldRegion }

/** The statuses of a world still in progress: what the list is asked for. */
export const IN_PROGRESS_STATUSES = ['PENDING', 'PREPROCESSING', 'RUNNING'] as const

const STATES: ReadonlyMap<string, TaskState> = new Map([
  ['PENDING', 'queued'],
  ['PREPROCESSING', 'preprocessing'],
  ['RUNNING', 'running'],
  ['SUCCEEDED', 'succeeded'],
  ['FAILED', 'failed'],
  ['CANCELED', 'cancelled'],
  ['TIMEOUT', 'timed-out'],
  ['REJECTED', 'rejected']
])

/** Maps the service's status string; strings it may add later are `unknown`, and not final. */
export function stateOfWorldStatus(status: string): TaskState {
  return STATES.get(status) ?? 'unknown'
}

export function isInProgressStatus(status: string): boolean {
  return (IN_PROGRESS_STATUSES as readonly string[]).includes(status)
}

/** The body of `POST {prefix}/list` for the in-progress worlds. */
export interface ListRequest {
  pageNum: number
  pageSize: number
  statusList: string[]
}

export function listRequest(pageNum: number, pageSize = LIST_PAGE_SIZE): ListRequest {
  return { pageNum, pageSize, statusList: [...IN_PROGRESS_STATUSES] }
}

/** The request of a probe: what a list costs is in any page's `totalCount`. */
export const PROBE_REQUEST: ListRequest = listRequest(0, 1)

/** One world as the gateway described it; a field it did not give is absent. */
export interface World {
  worldId: string
  /** The service's word; empty when it gave none. */
  status: string
  progress?: number
  name?: string
  cover?: string
  urls: AssetUrls
  lodMetaPath?: string
  panoUrl?: string
  upAxis?: string
}

export interface WorldPage {
  pageNum: number
  /** Absent when the gateway did not say. */
  totalCount?: number
  hasMore: boolean
  worlds: World[]
}

/** What was asked, for messages: one world, or the account's list. */
export type Subject =
  | { kind: 'world'; worldId: string }
  | { kind: 'list' }
  /** A creation: `what` names the job for messages. */
  | { kind: 'create'; what: string }

export type { RawAnswer }

/** Base of the gateway's refusals that no retry fixes; carries what the gateway said. */
export class WorldApiError extends ActionError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly httpStatus: number,
    readonly apiError: ApiErrorInfo | undefined
  ) {
    super(message, hint)
  }
}

/** 401: the key is missing, wrong or revoked. */
export class WorldAuthError extends WorldApiError {
  readonly refusedCredentials = true
}

/** 403: the key may not see this world (or, with no world named, the account's list). */
export class WorldAccessError extends WorldApiError {
  readonly refusedCredentials = true
  constructor(
    readonly worldId: string | undefined,
    message: string,
    hint: string,
    httpStatus: number,
    apiError: ApiErrorInfo | undefined
  ) {
    super(message, hint, httpStatus, apiError)
  }
}

/** 400 and other refusals of the request itself. */
export class WorldRequestError extends WorldApiError {}

/** 400 with bizCode 11003: the account has too few credits for the job. */
export class WorldCreditsError extends WorldRequestError {}

/** The bizCode of a creation refused for want of credits. */
export const INSUFFICIENT_CREDITS = '11003'

/** An answer that is not the documented shape: most often `api-url` points elsewhere. */
export class WorldResponseError extends ActionError {
  constructor(message: string) {
    super(
      `Unexpected answer from the Aholo World gateway: ${message}`,
      "Check 'api-url' (empty means the region's own gateway)."
    )
  }
}

export const KEYS_PAGES: Record<WorldRegion, string> = {
  cn: 'https://labs.aholo3d.cn',
  global: 'https://labs.aholo3d.com'
}

/** A world's detail, or `not-found` for a 404; throws a Fault or a typed error otherwise. */
export function interpretDetail(
  answer: RawAnswer,
  worldId: string,
  region: WorldRegion
): World | 'not-found' {
  if (answer.status === 404) return 'not-found'
  const body = readJson(answer, { kind: 'world', worldId }, region)
  if (!isRecord(body)) throw new WorldResponseError(`the world ${worldId} is not a JSON object.`)
  // The path named the world: an answer that names another (a mirror's bug) still speaks of it.
  return { ...parseWorld(body), worldId }
}

/** One page of the account's worlds; throws a Fault or a typed error otherwise. */
export function interpretList(answer: RawAnswer, region: WorldRegion): WorldPage {
  const body = readJson(answer, { kind: 'list' }, region)
  if (!isRecord(body) || (body.result !== undefined && !Array.isArray(body.result))) {
    throw new WorldResponseError('the list is not a WorldPagedList {result: [...], hasMore}.')
  }
  const items = Array.isArray(body.result) ? body.result : []
  // The list carries the account's other worlds too: one odd record must not stop the wait.
  const worlds = items
    .filter(isRecord)
    .map(parseWorld)
    .filter(world => world.worldId !== '')
  return {
    pageNum: integerOr(body.pageNum, 0),
    totalCount: Number.isInteger(body.totalCount) ? (body.totalCount as number) : undefined,
    hasMore: body.hasMore === true,
    worlds
  }
}

/** The `worldId` of a creation's answer; throws a Fault or a typed error otherwise. */
export function interpretCreated(answer: RawAnswer, what: string, region: WorldRegion): string {
  const body = readJson(answer, { kind: 'create', what }, region)
  const worldId = isRecord(body) ? textField(body.worldId, MAX_ID_CHARS) : undefined
  if (!worldId) throw new WorldResponseError(`the creation of ${what} gave no worldId.`)
  return worldId
}

/** The JSON of a 2xx answer; every other answer becomes the Fault or error it stands for. */
function readJson(answer: RawAnswer, subject: Subject, region: WorldRegion): unknown {
  const { status, retryAfterMs } = answer
  const text = answer.body.replace(/^\uFEFF/, '')
  let json: unknown
  let parsed = true
  try {
    json = JSON.parse(text)
  } catch {
    parsed = false
  }
  const apiError = parsed ? parseApiError(json) : undefined
  const said = describeApiError(status, apiError)
  if (status === 429 || status === 408 || status >= 500) {
    const wait = retryAfterMs !== undefined ? `, Retry-After ${retryAfterMs} ms` : ''
    throw new Fault(`${said}${wait}`, `HTTP ${status}`, retryAfterMs)
  }
  if (status >= 200 && status < 300) {
    // Proxies and gateways answer with HTML pages under 200; these pass.
    if (!parsed) {
      throw new Fault(
        `the answer is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`,
        'not JSON'
      )
    }
    return json
  }
  throw refusal(status, apiError, subject, region, said)
}

function refusal(
  status: number,
  apiError: ApiErrorInfo | undefined,
  subject: Subject,
  region: WorldRegion,
  said: string
): Error {
  const what =
    subject.kind === 'world'
      ? `world ${subject.worldId}`
      : subject.kind === 'create'
        ? subject.what
        : "the account's world list"
  if (subject.kind === 'create' && status === 400 && apiError?.bizCode === INSUFFICIENT_CREDITS) {
    return new WorldCreditsError(
      `The Aholo account has too few credits for ${what}: ${said}`,
      'Top up the account on Aholo Labs, then run the job again: worlds already made are reused, not paid twice.',
      status,
      apiError
    )
  }
  if (status === 401) {
    return new WorldAuthError(
      `The Aholo World gateway refused the API key: ${said}`,
      `Check the 'api-key' input: keys are made on the Aholo Labs "API keys" page ` +
        `(${KEYS_PAGES.cn} for region cn, ${KEYS_PAGES.global} for region global); ` +
        `'region' is ${region}, and must match the site the key comes from.`,
      status,
      apiError
    )
  }
  if (status === 403) {
    return new WorldAccessError(
      subject.kind === 'world' ? subject.worldId : undefined,
      `The API key has no access to ${what}: ${said}`,
      'A key without access to a world is a setup error, not a task outcome: check ' +
        "'task-ids', and that 'api-key' belongs to the account that owns the world.",
      status,
      apiError
    )
  }
  if (apiError === undefined) {
    return new WorldResponseError(`HTTP ${status} for ${what}, without an ApiError body.`)
  }
  return new WorldRequestError(
    `The Aholo World gateway refused the request for ${what}: ${said}`,
    status === 404 ? "Check 'api-url' (empty means the region's own gateway)." : undefined,
    status,
    apiError
  )
}

/** Ids and statuses are short words; a longer one is cut (and is not an id we asked for). */
const MAX_ID_CHARS = 128
const MAX_STATUS_CHARS = 64

function parseWorld(raw: Record<string, unknown>): World {
  const assets = record(raw.assets)
  const urls = record(record(assets?.splats)?.urls)
  const world: World = {
    worldId: textField(raw.worldId, MAX_ID_CHARS) ?? '',
    status: textField(raw.status, MAX_STATUS_CHARS) ?? '',
    urls: {}
  }
  // sogPath is not in the SDK we read, but the vendor's scripts read it from World: take it
  // when a gateway sends it, exactly as the open platform's.
  for (const key of ['plyPath', 'spzPath', 'sogPath'] as const) {
    const url = urlField(urls?.[key])
    if (url) world.urls[key] = url
  }
  const optional = {
    progress: fractionField(raw.progress),
    name: textField(raw.name),
    cover: urlField(raw.cover),
    lodMetaPath: urlField(urls?.lodMetaPath),
    panoUrl: urlField(record(assets?.imagery)?.panoUrl),
    upAxis: textField(record(assets?.semanticsMetadata)?.upAxis, MAX_STATUS_CHARS)
  }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(world, { [key]: value })
  }
  return world
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined
}

function integerOr(value: unknown, fallback: number): number {
  return Number.isInteger(value) ? (value as number) : fallback
}
