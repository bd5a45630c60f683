/**
 * The Aholo World gateway as a TaskSource (DESIGN.md §2b, §5): each round lists the account's
 * in-progress worlds and GETs only the asked worlds the list does not show in progress, or GETs
 * each unfinished world when that is fewer requests (plan.ts decides). Every request is retried
 * under the one retry policy until the call's deadline.
 */
import { type AssetFormat, linksOfUrls } from '../../domain/formats.js'
import { API_RETRY, Fault, type RetryPolicy, withRetries } from '../../net/retry.js'
import { readListPages } from '../list-pages.js'
import { mapBounded } from '../bounded.js'
import {
  askGateway,
  GATEWAY_ORIGINS,
  gatewayBase,
  type GatewayOptions,
  type RawAnswer
} from '../gateway-request.js'
import type { PollCall, TaskSnapshot, TaskSource } from '../provider.js'
import {
  chooseRound,
  GET_CONCURRENCY,
  INITIAL_MEMORY,
  type PlanMemory,
  remember,
  rememberProbe,
  splitByList
} from '../plan.js'
import {
  interpretDetail,
  interpretList,
  isInProgressStatus,
  type ListRequest,
  listRequest,
  PROBE_REQUEST,
  stateOfWorldStatus,
  type World,
  WorldAccessError,
  type WorldPage,
  WorldResponseError,
  type WorldRegion
} from './envelope.js'

export const WORLD_GATEWAYS: Record<WorldRegion, { origin: string; prefix: string }> = {
  cn: { origin: GATEWAY_ORIGINS.cn, prefix: '/world/v1' },
  global: { origin: GATEWAY_ORIGINS.global, prefix: '/global/world/v1' }
}

export interface WorldOptions extends GatewayOptions {
  region: WorldRegion
  /** Replaces the region's origin; a path of its own is kept, and the region's prefix follows. */
  apiUrl?: URL
  /** GETs in flight at once (default 8). */
  concurrency?: number
}

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
      this.memory = remember(this.memory, 'get', ids, inProgressIds(worlds))
      return worlds.map(toSnapshot)
    }
    const inProgress = (world: World): boolean => isInProgressStatus(world.status)
    const { fromList, toGet } = splitByList(ids, listing.listed, inProgress)
    this.options.log.debug(
      `World round: ${listing.pages} list page(s) of ${listing.totalCount} in-progress world(s), ${toGet.length} GET(s)`
    )
    const worlds = [...fromList, ...(await this.getEach(toGet, call))]
    this.memory = remember(this.memory, 'list', ids, inProgressIds(worlds), listing.totalCount)
    return worlds.map(toSnapshot)
  }

  async refresh(taskId: string, call: PollCall): Promise<TaskSnapshot | undefined> {
    const world = await this.getWorld(taskId, call, call.signal)
    return world && toSnapshot(world)
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
    return readListPages<World>({
      asked: new Set(ids),
      idOf: world => world.worldId,
      fetchPage: async index => {
        const page = await this.listPage(listRequest(index), call)
        return { ...page, items: page.worlds }
      },
      clock: this.options.clock,
      signal: call.signal
    })
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
    policy?: RetryPolicy
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
    return askGateway({ method, url, body }, this.options, call, signal, interpret, policy)
  }
}

/** `{origin}{prefix}` of the region's gateway, or of `apiUrl` (whose own path is kept). */
export function worldBaseUrl(region: WorldRegion, apiUrl: URL | undefined): string {
  const gateway = WORLD_GATEWAYS[region]
  return gatewayBase(gateway.origin, gateway.prefix, apiUrl)
}

function inProgressIds(worlds: readonly World[]): string[] {
  return worlds.filter(world => isInProgressStatus(world.status)).map(world => world.worldId)
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
