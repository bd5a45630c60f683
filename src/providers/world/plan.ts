/**
 * How a round asks the World gateway about the unfinished worlds, in the fewest requests
 * (DESIGN.md §5). Either LIST the account's in-progress worlds (pages of 100) and GET only the
 * asked worlds the list does not show in progress, or GET each unfinished world. What a list
 * costs is known only after one (`totalCount`), so the first round lists, and every later round
 * decides from the last list. Pure: values in, values out.
 */
import { IN_PROGRESS_STATUSES, isInProgressStatus, type World, type WorldPage } from './envelope.js'

/** The largest page the list serves. */
export const LIST_PAGE_SIZE = 100

/** GETs in flight at once in one round. */
export const GET_CONCURRENCY = 8

/**
 * Rounds of GETs after which the list's cost is measured again when a list could pay: the
 * account's other worlds that made it dear finish too (minutes, DESIGN.md §2), but only the
 * list can tell. A probe is one list request of one world, read for its `totalCount`.
 */
export const RELIST_AFTER_ROUNDS = 10

/**
 * The pause between two pages of one list. A listing is bounded by the worlds asked about
 * (listPageLimit), and pacing its pages keeps even that bound from reaching the gateway as a
 * burst.
 */
export const LIST_PAGE_PACE_MS = 100

/**
 * Pages one list reads at most: all of the asked worlds, had the list nothing else, and one
 * more. The server's own count is no bound (a list can claim a billion worlds); an asked world
 * that these pages did not show is read with a GET in the same round.
 */
export function listPageLimit(askedCount: number): number {
  return Math.ceil(askedCount / LIST_PAGE_SIZE) + 1
}

/** `probe`: ask the list for its `totalCount` alone, then choose again. */
export type RoundKind = 'list' | 'get' | 'probe'

export interface PlanMemory {
  /** `totalCount` of the last list; undefined before the first. */
  lastTotalCount: number | undefined
  /** Rounds since the last list round. */
  roundsSinceList: number
  /** Worlds last seen in progress: a list round does not GET them. */
  inProgress: ReadonlySet<string>
}

export const INITIAL_MEMORY: PlanMemory = {
  lastTotalCount: undefined,
  roundsSinceList: 0,
  inProgress: new Set()
}

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

/** Requests a full list costs when `totalCount` worlds match: at least one. */
export function listPages(totalCount: number): number {
  return Math.max(1, Math.ceil(totalCount / LIST_PAGE_SIZE))
}

/** The requests a list round would cost: its pages, and a GET of every world not in progress. */
export function listRoundCost(ids: readonly string[], memory: PlanMemory): number | undefined {
  if (memory.lastTotalCount === undefined) return undefined
  return listPages(memory.lastTotalCount) + expectedGets(ids, memory)
}

/** Which way this round asks about `ids` (the unfinished worlds). */
export function chooseRound(ids: readonly string[], memory: PlanMemory): RoundKind {
  const cost = listRoundCost(ids, memory)
  if (cost === undefined) return 'list'
  if (cost < ids.length) return 'list'
  // The cheapest a list can ever be: our own in-progress worlds alone on its pages.
  const gets = expectedGets(ids, memory)
  const floor = listPages(ids.length - gets) + gets
  return memory.roundsSinceList >= RELIST_AFTER_ROUNDS && floor < ids.length ? 'probe' : 'get'
}

function expectedGets(ids: readonly string[], memory: PlanMemory): number {
  return ids.filter(id => !memory.inProgress.has(id)).length
}

/**
 * Whether to read the page after `page`, `pagesRead` pages into a list of `askedCount` worlds.
 * Stops when the list says it has no more, when a page comes back empty, when every asked world
 * has been seen (later pages hold only the account's other worlds), or at the page limit: the
 * fewer of listPageLimit and what `totalCount` allows (a `hasMore` that never ends).
 */
export function wantsNextPage(
  page: WorldPage,
  pagesRead: number,
  askedCount: number,
  unseenAsked: number
): boolean {
  if (!page.hasMore || page.worlds.length === 0 || unseenAsked === 0) return false
  const counted = page.totalCount === undefined ? Infinity : listPages(page.totalCount) + 1
  return pagesRead < Math.min(listPageLimit(askedCount), counted)
}

export interface ListSplit {
  /** Asked worlds the list shows in progress: their status and progress come from it. */
  fromList: World[]
  /**
   * Asked worlds to confirm with a GET: absent from the list (finished, unknown, or on a page
   * that shifted), or shown there final or in a status this action does not know (the list has
   * no assets, and it may ignore its filter).
   */
  toGet: string[]
}

export function splitByList(ids: readonly string[], listed: ReadonlyMap<string, World>): ListSplit {
  const split: ListSplit = { fromList: [], toGet: [] }
  for (const id of ids) {
    const world = listed.get(id)
    if (world && isInProgressStatus(world.status)) split.fromList.push(world)
    else split.toGet.push(id)
  }
  return split
}

/** The memory after a probe answered `totalCount`: choose again, with a fresh cost. */
export function rememberProbe(memory: PlanMemory, totalCount: number): PlanMemory {
  return { ...memory, lastTotalCount: totalCount, roundsSinceList: 0 }
}

/** The memory after a round of `kind` that saw `worlds` among the asked `ids`. */
export function remember(
  memory: PlanMemory,
  kind: 'list' | 'get',
  ids: readonly string[],
  worlds: readonly World[],
  totalCount?: number
): PlanMemory {
  // Only the asked ids: those not asked any more have finished.
  const seen = new Map(worlds.map(world => [world.worldId, world]))
  const inProgress = new Set(
    ids.filter(id => {
      const world = seen.get(id)
      return world !== undefined && isInProgressStatus(world.status)
    })
  )
  if (kind === 'get') {
    return { ...memory, roundsSinceList: memory.roundsSinceList + 1, inProgress }
  }
  return {
    lastTotalCount: totalCount ?? memory.lastTotalCount,
    roundsSinceList: 0,
    inProgress
  }
}
