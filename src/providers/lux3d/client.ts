/**
 * The Aholo Lux3D API as a TaskSource (DESIGN.md §2c, §5). Each round GETs each unfinished task,
 * or lists the account's in-progress tasks (one list per status, 0 and 1) and GETs only the asked
 * tasks those lists do not show, when that is fewer requests: the plan World uses decides
 * (providers/plan.ts). Accounts run one or two tasks at a time, so the lists are short. Every
 * request is retried under the one retry policy until the call's deadline.
 */
import type { AssetFormat } from '../../domain/formats.js'
import type { RetryPolicy } from '../../net/retry.js'
import { TaskGetter } from '../get-each.js'
import {
  askGateway,
  GATEWAY_ORIGINS,
  gatewayBase,
  type GatewayOptions
} from '../gateway-request.js'
import {
  chooseRound,
  GET_CONCURRENCY,
  INITIAL_MEMORY,
  LIST_PAGE_SIZE,
  type ListShape,
  type PlanMemory,
  remember,
  splitByList
} from '../plan.js'
import { readListPages } from '../list-pages.js'
import type { PollCall, TaskSnapshot, TaskSource } from '../provider.js'
import type { WorldRegion } from '../world/envelope.js'
import {
  IN_PROGRESS_STATUSES,
  interpretList,
  interpretTask,
  isInProgressStatus,
  Lux3dApiError,
  type Lux3dPage,
  Lux3dResponseError,
  type Lux3dTask,
  stateOfLux3dStatus
} from './envelope.js'
import { linksOfOutputs } from './outputs.js'

/** Same hosts as World; the paths differ. */
export const LUX3D_PREFIXES: Record<WorldRegion, string> = {
  cn: '/lux3d/v1',
  global: '/global/lux3d/v1'
}

/** One list per in-progress status; GETs first, since most asked tasks are finished. */
export const LUX3D_LISTS: ListShape = { lists: IN_PROGRESS_STATUSES.length, firstRound: 'get' }

export interface Lux3dOptions extends GatewayOptions {
  region: WorldRegion
  /** Replaces the region's origin; a path of its own is kept, and the region's prefix follows. */
  apiUrl?: URL
  /** GETs in flight at once (default 8). */
  concurrency?: number
}

/** The asked tasks the lists showed, of `totalCount` in progress, read in `pages` requests. */
interface Listing {
  listed: Map<string, Lux3dTask>
  totalCount: number
  pages: number
}

export class Lux3dSource implements TaskSource {
  readonly api = 'lux3d'
  readonly formats: readonly AssetFormat[] = [
    'glb',
    'usdz',
    'obj',
    'fbx',
    'stl',
    '3mf',
    'ply',
    'zip',
    'image'
  ]
  readonly description: string
  private readonly base: string
  private memory: PlanMemory = INITIAL_MEMORY
  private readonly warnedNotFound = new Set<string>()
  private readonly getter: TaskGetter<Lux3dTask>
  /** The service refused the list (403): every round GETs. */
  private listRefused = false

  constructor(private readonly options: Lux3dOptions) {
    const origin = GATEWAY_ORIGINS[options.region]
    this.base = gatewayBase(origin, LUX3D_PREFIXES[options.region], options.apiUrl)
    this.description = `the Aholo Lux3D API (region ${options.region}) at ${this.base}`
    this.getter = new TaskGetter<Lux3dTask>({
      clock: options.clock,
      log: options.log,
      concurrency: options.concurrency ?? GET_CONCURRENCY,
      onRetry: options.onRetry,
      label: id => `Lux3D task ${id}`,
      isMalformed: (error): error is Lux3dResponseError => error instanceof Lux3dResponseError
    })
  }

  async poll(ids: readonly string[], call: PollCall): Promise<TaskSnapshot[]> {
    if (ids.length === 0) return []
    const listing =
      this.listRefused || chooseRound(ids, this.memory, LUX3D_LISTS) === 'get'
        ? undefined
        : await this.listOrRefused(ids, call)
    if (!listing) {
      this.options.log.debug(`Lux3D round: ${ids.length} GET(s)`)
      const tasks = await this.getEach(ids, call)
      this.memory = remember(this.memory, 'get', ids, inProgressIds(tasks))
      return tasks.map(toSnapshot)
    }
    const { fromList, toGet } = splitByList(ids, listing.listed, task =>
      isInProgressStatus(task.status)
    )
    this.options.log.debug(
      `Lux3D round: ${listing.pages} list page(s) of ${listing.totalCount} in-progress task(s), ${toGet.length} GET(s)`
    )
    const tasks = [...fromList, ...(await this.getEach(toGet, call))]
    this.memory = remember(this.memory, 'list', ids, inProgressIds(tasks), listing.totalCount)
    return tasks.map(toSnapshot)
  }

  /** The task's fresh URLs, asked of the service alone; undefined while it answers not-found. */
  async refresh(taskId: string, call: PollCall): Promise<TaskSnapshot | undefined> {
    const task = await this.getTask(taskId, call, call.signal)
    return task && toSnapshot(task)
  }

  /**
   * A list round, or a probe: both lists are read whole, since they are short. Undefined when the
   * service refuses the key its list (403): the GETs it still answers do the work from then on.
   */
  private async listOrRefused(
    ids: readonly string[],
    call: PollCall
  ): Promise<Listing | undefined> {
    try {
      return await this.listInProgress(ids, call)
    } catch (error) {
      if (!(error instanceof Lux3dApiError) || error.httpStatus !== 403) throw error
      this.listRefused = true
      this.options.log.warning(
        `The Lux3D API refuses to list the account's tasks (${error.message}); asking for each task instead, one GET per task per round.`
      )
      return undefined
    }
  }

  /** The asked tasks among the account's in-progress ones; other tasks are not kept. */
  private async listInProgress(ids: readonly string[], call: PollCall): Promise<Listing> {
    const asked = new Set(ids)
    const listing: Listing = { listed: new Map(), totalCount: 0, pages: 0 }
    for (const status of IN_PROGRESS_STATUSES) {
      const { listed, totalCount, pages } = await readListPages<Lux3dTask>({
        asked,
        idOf: task => task.taskId,
        fetchPage: async index => {
          const page = await this.listPage(status, index + 1, call)
          return { ...page, items: page.tasks }
        },
        clock: this.options.clock,
        signal: call.signal
      })
      for (const [id, task] of listed) listing.listed.set(id, task)
      listing.totalCount += totalCount
      listing.pages += pages
    }
    return listing
  }

  private listPage(status: number, page: number, call: PollCall): Promise<Lux3dPage> {
    const url = new URL(`${this.base}/generate/task/list`)
    url.searchParams.set('page', String(page))
    url.searchParams.set('pagesize', String(LIST_PAGE_SIZE))
    url.searchParams.set('status', String(status))
    return askGateway({ method: 'GET', url: url.href }, this.options, call, call.signal, answer =>
      interpretList(answer, this.options.region)
    )
  }

  /** The tasks that answered; one whose answers keep failing waits on its own (get-each.ts). */
  private getEach(ids: readonly string[], call: PollCall): Promise<Lux3dTask[]> {
    return this.getter.getEach(ids, call, (id, signal, policy) =>
      this.getTask(id, call, signal, policy)
    )
  }

  /** The task, or undefined while the service does not know it. */
  private async getTask(
    id: string,
    call: PollCall,
    signal: AbortSignal,
    policy?: RetryPolicy
  ): Promise<Lux3dTask | undefined> {
    const url = `${this.base}/generate/task/get?taskid=${encodeURIComponent(id)}`
    const { region } = this.options
    const task = await askGateway(
      { method: 'GET', url },
      this.options,
      call,
      signal,
      answer => interpretTask(answer, id, region),
      policy
    )
    if (task !== 'not-found') return task
    if (!this.warnedNotFound.has(id)) {
      this.warnedNotFound.add(id)
      this.options.log.warning(
        `Lux3D task ${id}: the API of region ${region} does not know it (yet); waiting for it. ` +
          `A lasting not-found is most often a typo in 'task-ids' or the other 'region'.`
      )
    }
    return undefined
  }
}

function inProgressIds(tasks: readonly Lux3dTask[]): string[] {
  return tasks.filter(task => isInProgressStatus(task.status)).map(task => task.taskId)
}

function toSnapshot(task: Lux3dTask): TaskSnapshot {
  return {
    taskId: task.taskId,
    status: task.status,
    state: stateOfLux3dStatus(task.status),
    assets: linksOfOutputs(task.outputs)
  }
}
