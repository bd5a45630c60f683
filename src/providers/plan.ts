/**
 * How a round asks a service about the unfinished tasks, in the fewest requests (DESIGN.md §5).
 * Either LIST the account's in-progress tasks (pages of 100) and GET only the asked tasks the
 * list does not show in progress, or GET each unfinished task. What a list costs is known only
 * after one (its total), so every later round decides from the last list. Shared by the World
 * gateway (one list of three statuses) and Lux3D (one list per in-progress status, two). Pure:
 * values in, values out.
 */

/** How an API lists its in-progress tasks, for the plan's sums. */
export interface ListShape {
  /** Separate filtered lists one listing reads: each costs a page at least. */
  lists: number
  /**
   * What a round does before any list was read. `list` where accounts hold many tasks in
   * progress (World); `get` where they run one or two at a time (Lux3D: most asked tasks are
   * finished, need a GET for their outputs anyway, and a first list could only add requests).
   */
  firstRound: 'list' | 'get'
}

/** The World gateway: one list filtered by every in-progress status, read first. */
export const ONE_LIST: ListShape = { lists: 1, firstRound: 'list' }

/** The largest page the list serves. */
export const LIST_PAGE_SIZE = 100

/** GETs in flight at once in one round. */
export const GET_CONCURRENCY = 8

/**
 * Rounds of GETs after which the list's cost is measured again when a list could pay: the
 * account's other tasks that made it dear finish too (minutes, DESIGN.md §2), but only the
 * list can tell. A probe is one list request of one task, read for its `totalCount`.
 */
export const RELIST_AFTER_ROUNDS = 10

/**
 * The pause between two pages of one list. A listing is bounded by the tasks asked about
 * (listPageLimit), and pacing its pages keeps even that bound from reaching the gateway as a
 * burst.
 */
export const LIST_PAGE_PACE_MS = 100

/**
 * Pages one list reads at most: all of the asked tasks, had the list nothing else, and one
 * more. The server's own count is no bound (a list can claim a billion tasks); an asked task
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
  /** Tasks last seen in progress: a list round does not GET them. */
  inProgress: ReadonlySet<string>
}

export const INITIAL_MEMORY: PlanMemory = {
  lastTotalCount: undefined,
  roundsSinceList: 0,
  inProgress: new Set()
}

/** Requests a full list costs when `totalCount` tasks match: at least one. */
export function listPages(totalCount: number): number {
  return Math.max(1, Math.ceil(totalCount / LIST_PAGE_SIZE))
}

/**
 * Pages of `shape.lists` lists that hold `totalCount` tasks between them, at most: one each,
 * and the split of the total over them adds at most one page per further list.
 */
function pagesOf(totalCount: number, shape: ListShape): number {
  return shape.lists - 1 + listPages(totalCount)
}

/** The requests a list round would cost: its pages, and a GET of every task not in progress. */
export function listRoundCost(
  ids: readonly string[],
  memory: PlanMemory,
  shape: ListShape = ONE_LIST
): number | undefined {
  if (memory.lastTotalCount === undefined) return undefined
  return pagesOf(memory.lastTotalCount, shape) + expectedGets(ids, memory)
}

/** Which way this round asks about `ids` (the unfinished tasks). */
export function chooseRound(
  ids: readonly string[],
  memory: PlanMemory,
  shape: ListShape = ONE_LIST
): RoundKind {
  const gets = expectedGets(ids, memory)
  // The cheapest a list can ever be: our own in-progress tasks alone on its pages.
  const floor = pagesOf(ids.length - gets, shape) + gets
  const cost = listRoundCost(ids, memory, shape)
  if (cost === undefined) {
    if (shape.firstRound === 'list') return 'list'
    // After the first round of GETs: a list is worth reading once it could pay; it is read
    // whole (a probe would only add a request where the lists are short).
    return memory.roundsSinceList > 0 && floor < ids.length ? 'list' : 'get'
  }
  if (cost < ids.length) return 'list'
  return memory.roundsSinceList >= RELIST_AFTER_ROUNDS && floor < ids.length ? 'probe' : 'get'
}

function expectedGets(ids: readonly string[], memory: PlanMemory): number {
  return ids.filter(id => !memory.inProgress.has(id)).length
}

/** What the plan reads of one page of a list. */
export interface PageInfo {
  /** Absent when the service did not say. */
  totalCount?: number
  hasMore: boolean
  /** Tasks on this page. */
  size: number
}

/**
 * Whether to read the page after `page`, `pagesRead` pages into a list of `askedCount` tasks.
 * Stops when the list says it has no more, when a page comes back empty, when every asked task
 * has been seen (later pages hold only the account's other tasks), or at the page limit: the
 * fewer of listPageLimit and what `totalCount` allows (a `hasMore` that never ends).
 */
export function wantsNextPage(
  page: PageInfo,
  pagesRead: number,
  askedCount: number,
  unseenAsked: number
): boolean {
  if (!page.hasMore || page.size === 0 || unseenAsked === 0) return false
  const counted = page.totalCount === undefined ? Infinity : listPages(page.totalCount) + 1
  return pagesRead < Math.min(listPageLimit(askedCount), counted)
}

export interface ListSplit<T> {
  /** Asked tasks the list shows in progress: their status (and progress) come from it. */
  fromList: T[]
  /**
   * Asked tasks to confirm with a GET: absent from the list (finished, unknown, or on a page
   * that shifted), or shown there final or in a status this action does not know (the list has
   * no assets, and it may ignore its filter).
   */
  toGet: string[]
}

export function splitByList<T>(
  ids: readonly string[],
  listed: ReadonlyMap<string, T>,
  inProgress: (task: T) => boolean
): ListSplit<T> {
  const split: ListSplit<T> = { fromList: [], toGet: [] }
  for (const id of ids) {
    const task = listed.get(id)
    if (task !== undefined && inProgress(task)) split.fromList.push(task)
    else split.toGet.push(id)
  }
  return split
}

/** The memory after a probe answered `totalCount`: choose again, with a fresh cost. */
export function rememberProbe(memory: PlanMemory, totalCount: number): PlanMemory {
  return { ...memory, lastTotalCount: totalCount, roundsSinceList: 0 }
}

/** The memory after a round of `kind` that saw the tasks `seenInProgress` in progress. */
export function remember(
  memory: PlanMemory,
  kind: 'list' | 'get',
  ids: readonly string[],
  seenInProgress: Iterable<string>,
  totalCount?: number
): PlanMemory {
  // Only the asked ids: those not asked any more have finished.
  const seen = new Set(seenInProgress)
  const inProgress = new Set(ids.filter(id => seen.has(id)))
  if (kind === 'get') {
    return { ...memory, roundsSinceList: memory.roundsSinceList + 1, inProgress }
  }
  return {
    lastTotalCount: totalCount ?? memory.lastTotalCount,
    roundsSinceList: 0,
    inProgress
  }
}
