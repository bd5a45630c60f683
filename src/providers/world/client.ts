/**
 * The Aholo World gateway as a TaskSource (DESIGN.md §2b, §5): each round lists the account's
 * in-progress worlds and GETs only the asked worlds the list does not show in progress, or GETs
 * each unfinished world when that is fewer requests (plan.ts decides). Every request is retried
 * under the one retry policy until the call's deadline.
 */
import { type AssetFormat, linksOfUrls } from '../../domain/formats.js'
import { NetworkError, readText, sendRequest, USER_AGENT } from '../../net/http.js'
import {
  API_RETRY,
  DeadlineError,
  Fault,
  parseRetryAfter,
  type RetryPolicy,
  withRetries
} from '../../net/retry.js'
import type { Clock, Log } from '../../runtime.js'
import type { PollCall, TaskSnapshot, TaskSource } from '../provider.js'
import { mapBounded } from './bounded.js'
import {
  interpretDetail,
  interpretList,
  type RawAnswer,
  stateOfWorldStatus,
  type World,
  WorldAccessError,
  type WorldPage,
  WorldResponseError,
  type WorldRegion
} from './envelope.js'
import {
  chooseRound,
  GET_CONCURRENCY,
  INITIAL_MEMORY,
  LIST_PAGE_PACE_MS,
  type ListRequest,
  listRequest,
  type PlanMemory,
  PROBE_REQUEST,
  remember,
  rememberProbe,
  splitByList,
  wantsNextPage
} from './plan.js'

export const WORLD_GATEWAYS: Record<WorldRegion, { origin: string; prefix: string }> = {
  cn: { origin: 'https://api.aholo3d.cn', prefix: '/world/v1' },
  global: { origin: 'https://api.aholo3d.com', prefix: '/global/world/v1' }
}

export interface WorldOptions {
  /**
   * Sent as it is in `Authorization`; never logged. What the gateway says is read as it came: the
   * step's sinks take the key out of whatever is shown (report/redact.ts), and scrubbing it here,
   * before parsing, would turn a status that happens to equal the key into nonsense.
   */
  apiKey: string
  region: WorldRegion
  /** Replaces the region's origin; a path of its own is kept, and the region's prefix follows. */
  apiUrl?: URL
  clock: Clock
  log: Pick<Log, 'debug' | 'warning'>
  /** Limit of one request, within the deadline. */
  requestTimeoutMs: number
  /** Before each wait caused by a fault. */
  onRetry?: (fault: Fault, nextAttempt: number, delayMs: number) => void
  /** GETs in flight at once (default 8). */
  concurrency?: number
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024

/** Tries of one world's GET in a round before it is left for the next round. */
const GET_ATTEMPTS = 3

/** The asked worlds one list showed, of `totalCount` in progress, read in `pages` requests. */
interface Listing {
  listed: Map<string, World>
  totalCount: number
  pages: number
}

export class WorldSource implements TaskSource {
  readonly api = 'world'
  /** SOG only where the gateway sends `sogPath` (newer releases may). */
  readonly formats: readonly AssetFormat[] = ['ply', 'spz', 'sog']
  readonly description: string
  private readonly base: string
  private memory: PlanMemory = INITIAL_MEMORY
  private readonly warnedNotFound = new Set<string>()
  /** Worlds whose failing answers were named; named again only after one answers. */
  private readonly failureReported = new Set<string>()
  /** The gateway refused the list (403): every round GETs. */
  private listRefused = false

  constructor(private readonly options: WorldOptions) {
    this.base = worldBaseUrl(options.region, options.apiUrl)
    this.description = `the Aholo World gateway (region ${options.region}) at ${this.base}`
  }

  async poll(ids: readonly string[], call: PollCall): Promise<TaskSnapshot[]> {
    if (ids.length === 0) return []
    let listing: Listing | 'get'
    try {
      listing = await this.listIfCheaper(ids, call)
    } catch (error) {
      if (!(error instanceof WorldAccessError)) throw error
      this.listRefused = true
      this.options.log.warning(
        `The gateway refuses to list the account's worlds (${error.message}); asking for each world instead, one GET per world per round.`
      )
      listing = 'get'
    }
    if (listing === 'get') {
      this.options.log.debug(`World round: ${ids.length} GET(s)`)
      const worlds = await this.getEach(ids, call)
      this.memory = remember(this.memory, 'get', ids, worlds)
      return worlds.map(toSnapshot)
    }
    const { fromList, toGet } = splitByList(ids, listing.listed)
    this.options.log.debug(
      `World round: ${listing.pages} list page(s) of ${listing.totalCount} in-progress world(s), ${toGet.length} GET(s)`
    )
    const worlds = [...fromList, ...(await this.getEach(toGet, call))]
    this.memory = remember(this.memory, 'list', ids, worlds, listing.totalCount)
    return worlds.map(toSnapshot)
  }

  /** The list of this round, or 'get' when GETs alone cost fewer requests. */
  private async listIfCheaper(ids: readonly string[], call: PollCall): Promise<Listing | 'get'> {
    if (this.listRefused) return 'get'
    let kind = chooseRound(ids, this.memory)
    if (kind === 'probe') {
      const page = await this.listPage(PROBE_REQUEST, call)
      this.memory = rememberProbe(this.memory, page.totalCount ?? page.worlds.length)
      kind = chooseRound(ids, this.memory)
      this.options.log.debug(`World probe: ${page.totalCount} world(s) in progress; ${kind} now`)
    }
    return kind === 'get' ? 'get' : this.listInProgress(ids, call)
  }

  /** The asked worlds among the account's in-progress ones; other worlds are not kept. */
  private async listInProgress(ids: readonly string[], call: PollCall): Promise<Listing> {
    const asked = new Set(ids)
    const listed = new Map<string, World>()
    let totalCount: number | undefined
    let seen = 0
    let pages = 0
    // A page that repeats one already read (the same worlds in the same order) ends the list:
    // a gateway that ignores `pageNum` would otherwise answer the same page up to the limit.
    const pagesSeen = new Set<string>()
    while (true) {
      if (pages > 0) await this.options.clock.sleep(LIST_PAGE_PACE_MS, call.signal)
      const page = await this.listPage(listRequest(pages), call)
      pages++
      const fingerprint = page.worlds.map(world => world.worldId).join('\n')
      if (pagesSeen.has(fingerprint)) break
      pagesSeen.add(fingerprint)
      totalCount ??= page.totalCount
      seen += page.worlds.length
      for (const world of page.worlds)
        if (asked.has(world.worldId)) listed.set(world.worldId, world)
      if (!wantsNextPage(page, pages, asked.size, asked.size - listed.size)) break
    }
    return { listed, totalCount: totalCount ?? seen, pages }
  }

  private listPage(body: ListRequest, call: PollCall): Promise<WorldPage> {
    return this.request('POST', `${this.base}/list`, body, call, call.signal, answer =>
      interpretList(answer, this.options.region)
    )
  }

  /**
   * The worlds that answered. Each GET counts by itself: a world whose answers keep failing
   * (5xx, not JSON, not a world) is left out of this round, so it keeps its last known state,
   * and its fault is named once, while the others go on to their final states and downloads.
   * When no world answered, the round fails with the last fault, and the retry helper tries it
   * again until the deadline.
   */
  private async getEach(ids: readonly string[], call: PollCall): Promise<World[]> {
    const fetchAll = async (): Promise<World[]> => {
      const answers = await mapBounded(
        ids,
        this.options.concurrency ?? GET_CONCURRENCY,
        call.signal,
        (id, signal) => this.getWorldOrFailure(id, call, signal)
      )
      const worlds: World[] = []
      const failures: Fault[] = []
      for (const answer of answers) {
        if (answer instanceof Fault) failures.push(answer)
        else if (answer !== undefined) worlds.push(answer)
      }
      if (ids.length > 0 && failures.length === ids.length) throw failures[failures.length - 1]
      for (const [index, answer] of answers.entries()) {
        if (answer instanceof Fault) this.reportFailure(ids[index], answer)
        else this.failureReported.delete(ids[index])
      }
      return worlds
    }
    return withRetries(fetchAll, {
      clock: this.options.clock,
      signal: call.signal,
      deadline: call.deadline,
      onRetry: this.options.onRetry
    })
  }

  /**
   * The world; undefined for a 404; the Fault that GET_ATTEMPTS tries met. An answer that is not
   * a world counts as such a Fault: it keeps the world pending (docs/DECISIONS.md).
   */
  private async getWorldOrFailure(
    id: string,
    call: PollCall,
    signal: AbortSignal
  ): Promise<World | Fault | undefined> {
    try {
      return await this.getWorld(id, call, signal, { ...API_RETRY, maxAttempts: GET_ATTEMPTS })
    } catch (error) {
      if (error instanceof Fault) return error
      if (error instanceof WorldResponseError) return new Fault(error.message, 'malformed answer')
      throw error
    }
  }

  private reportFailure(id: string, failure: Fault): void {
    if (this.failureReported.has(id)) return
    this.failureReported.add(id)
    this.options.log.warning(
      `World ${id}: the gateway's answers for this world keep failing (${failure.message.replace(/\.$/, '')}); ` +
        'it keeps its last known state while the other worlds go on, and is asked again each round.'
    )
  }

  /** The world, or undefined while the gateway answers 404 for it. */
  private async getWorld(
    id: string,
    call: PollCall,
    signal: AbortSignal,
    policy: RetryPolicy
  ): Promise<World | undefined> {
    const url = `${this.base}/${encodeURIComponent(id)}`
    const { region } = this.options
    const world = await this.request(
      'GET',
      url,
      undefined,
      call,
      signal,
      answer => interpretDetail(answer, id, region),
      policy
    )
    if (world !== 'not-found') return world
    if (!this.warnedNotFound.has(id)) {
      this.warnedNotFound.add(id)
      this.options.log.warning(
        `World ${id}: the gateway of region ${region} answers 404 (no such world); waiting for it. ` +
          `A lasting 404 is most often a typo in 'task-ids' or the other 'region'.`
      )
    }
    return undefined
  }

  private request<T>(
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    call: PollCall,
    signal: AbortSignal,
    interpret: (answer: RawAnswer) => T,
    policy?: RetryPolicy
  ): Promise<T> {
    return withRetries(() => this.attempt(method, url, body, call, signal, interpret), {
      clock: this.options.clock,
      signal,
      deadline: call.deadline,
      onRetry: this.options.onRetry,
      policy
    })
  }

  private async attempt<T>(
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    call: PollCall,
    signal: AbortSignal,
    interpret: (answer: RawAnswer) => T
  ): Promise<T> {
    return interpret(await exchange(this.options, { method, url, body }, call.deadline, signal))
  }
}

/** `{origin}{prefix}` of the region's gateway, or of `apiUrl` (whose own path is kept). */
export function worldBaseUrl(region: WorldRegion, apiUrl: URL | undefined): string {
  const gateway = WORLD_GATEWAYS[region]
  const root = apiUrl ? `${apiUrl.origin}${apiUrl.pathname.replace(/\/+$/, '')}` : gateway.origin
  return `${root}${gateway.prefix}`
}

/**
 * One request to the gateway and its answer, read whole: the key in `Authorization`, a JSON
 * body, `Retry-After` read. Both the wait and the create action's World calls go through it.
 */
export async function exchange(
  options: Pick<WorldOptions, 'apiKey' | 'clock' | 'log' | 'requestTimeoutMs'>,
  request: {
    method: 'GET' | 'POST'
    url: string
    body?: unknown
    headers?: Record<string, string>
  },
  deadline: number,
  signal: AbortSignal
): Promise<RawAnswer> {
  const { clock, log, requestTimeoutMs, apiKey } = options
  const { method, url, body } = request
  const timeoutMs = Math.max(1, Math.min(requestTimeoutMs, deadline - clock.now()))
  const started = clock.now()
  log.debug(`${method} ${url}, time limit ${timeoutMs} ms`)
  try {
    const response = await sendRequest({
      method,
      url: new URL(url),
      headers: {
        Authorization: apiKey,
        Accept: 'application/json',
        'User-Agent': USER_AGENT,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...request.headers
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      timeoutMs
    })
    const retryAfter = response.headers['retry-after']
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      clock.wallClock()
    )
    const text = await readText(response, MAX_RESPONSE_BYTES, signal)
    log.debug(
      `HTTP ${response.status} after ${Math.round(clock.now() - started)} ms, ${text.length} characters`
    )
    return { status: response.status, body: text, retryAfterMs }
  } catch (error) {
    // Cut short by the deadline, not by the service: time is up, and nobody is to blame.
    if (error instanceof NetworkError && clock.now() >= deadline) throw new DeadlineError()
    throw error
  }
}

function toSnapshot(world: World): TaskSnapshot {
  const { progress, name, cover, lodMetaPath, panoUrl, upAxis } = world
  const details = Object.fromEntries(
    Object.entries({ progress, name, cover, lodMetaPath, panoUrl, upAxis }).filter(
      ([, value]) => value !== undefined
    )
  )
  return {
    taskId: world.worldId,
    status: world.status,
    state: stateOfWorldStatus(world.status),
    assets: linksOfUrls(world.urls),
    details
  }
}
