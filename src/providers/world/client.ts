/**
 * The Aholo World gateway as a TaskSource (DESIGN.md §2b, §5): each round lists the account's
 * in-progress worlds and GETs only the asked worlds the list does not show in progress, or GETs
 * each unfinished world when that is fewer requests (plan.ts decides). Every request is retried
 * under the one retry policy until the call's deadline.
 */
import { type AssetFormat, linksOfUrls } from '../../domain/formats.js'
import type { RetryPolicy } from '../../net/retry.js'
import { TaskGetter } from '../get-each.js'
import { readListPages } from '../list-pages.js'
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
  private readonly getter: TaskGetter<World>
  /** The gateway refused the list (403): every round GETs. */
  private listRefused = false

  constructor(private readonly options: WorldOptions) {
    this.base = worldBaseUrl(options.region, options.apiUrl)
    this.getter = new TaskGetter<World>({
      clock: options.clock,
      log: options.log,
      concurrency: options.concurrency ?? GET_CONCURRENCY,
      onRetry: options.onRetry,
      label: id => `World ${id}`,
      isMalformed: (error): error is WorldResponseError => error instanceof WorldResponseError
    })
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

  /** The worlds that answered; one whose answers keep failing waits on its own (get-each.ts). */
  private getEach(ids: readonly string[], call: PollCall): Promise<World[]> {
    return this.getter.getEach(ids, call, (id, signal, policy) =>
      this.getWorld(id, call, signal, policy)
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
