import {
  isInProgressStatus,
  listRequest,
  PROBE_REQUEST,
  type World
} from '../src/providers/world/envelope.js'
import {
  chooseRound,
  INITIAL_MEMORY,
  type ListShape,
  listPages,
  listRoundCost,
  listPageLimit,
  type PlanMemory,
  RELIST_AFTER_ROUNDS,
  remember,
  rememberProbe,
  splitByList,
  wantsNextPage
} from '../src/providers/plan.js'

const ids = (count: number, prefix = 'W'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`)

const world = (worldId: string, status: string): World => ({ worldId, status, urls: {} })

function memory(overrides: Partial<PlanMemory>): PlanMemory {
  return { ...INITIAL_MEMORY, ...overrides }
}

describe('choosing how a round asks', () => {
  it('lists first: what a list costs is known only after one', () => {
    expect(chooseRound(ids(1), INITIAL_MEMORY)).toBe('list')
    expect(chooseRound(ids(1000), INITIAL_MEMORY)).toBe('list')
  })

  it('lists when its pages and the GETs it still needs are fewer than one GET per world', () => {
    const asked = ids(150)
    // 150 ours + 50 others in progress: 2 pages, no GET expected.
    const seen = memory({ lastTotalCount: 200, inProgress: new Set(asked) })
    expect(listRoundCost(asked, seen)).toBe(2)
    expect(chooseRound(asked, seen)).toBe('list')
  })

  it('GETs each world when the account has many other worlds in progress', () => {
    const asked = ids(3)
    const seen = memory({ lastTotalCount: 503, inProgress: new Set(asked) })
    expect(listRoundCost(asked, seen)).toBe(6)
    expect(chooseRound(asked, seen)).toBe('get')
  })

  it('counts a GET for every world the last round did not see in progress', () => {
    const asked = ids(10)
    const half = memory({ lastTotalCount: 5, inProgress: new Set(asked.slice(0, 5)) })
    expect(listRoundCost(asked, half)).toBe(1 + 5)
    expect(chooseRound(asked, half)).toBe('list')
    const none = memory({ lastTotalCount: 0, inProgress: new Set() })
    expect(chooseRound(asked, none)).toBe('get')
  })

  it('GETs a single world: a list can never be cheaper than one request', () => {
    expect(chooseRound(['W'], memory({ lastTotalCount: 1, inProgress: new Set(['W']) }))).toBe(
      'get'
    )
  })

  it(`probes the list's cost after ${RELIST_AFTER_ROUNDS} rounds of GETs, when a list could pay`, () => {
    const asked = ids(3)
    const base = { lastTotalCount: 503, inProgress: new Set(asked) }
    expect(chooseRound(asked, memory({ ...base, roundsSinceList: RELIST_AFTER_ROUNDS - 1 }))).toBe(
      'get'
    )
    const due = memory({ ...base, roundsSinceList: RELIST_AFTER_ROUNDS })
    expect(chooseRound(asked, due)).toBe('probe')
    // The other worlds have finished: list now. They have not: GET, and probe again later.
    expect(chooseRound(asked, rememberProbe(due, 3))).toBe('list')
    expect(chooseRound(asked, rememberProbe(due, 480))).toBe('get')
    expect(rememberProbe(due, 480)).toMatchObject({ lastTotalCount: 480, roundsSinceList: 0 })
    // One world: a list can never pay, so it is never probed.
    const one = { lastTotalCount: 503, inProgress: new Set(['W0']) }
    expect(chooseRound(['W0'], memory({ ...one, roundsSinceList: 50 }))).toBe('get')
  })

  it('asks for pages of 100 in-progress worlds', () => {
    expect(listRequest(3)).toEqual({
      pageNum: 3,
      pageSize: 100,
      statusList: ['PENDING', 'PREPROCESSING', 'RUNNING']
    })
    expect([0, 1, 100, 101, 1000].map(listPages)).toEqual([1, 1, 1, 2, 10])
    // A probe reads the totalCount alone: one world on one page.
    expect(PROBE_REQUEST).toEqual({ ...listRequest(0), pageSize: 1 })
  })
})

describe('reading the pages of one list', () => {
  const page = (hasMore: boolean, size: number, totalCount?: number) => ({
    hasMore,
    totalCount,
    size
  })

  it('follows hasMore while asked worlds are still unseen', () => {
    expect(wantsNextPage(page(true, 100, 250), 1, 300, 5)).toBe(true)
    expect(wantsNextPage(page(false, 50, 250), 3, 300, 5)).toBe(false)
  })

  it('stops once every asked world has been seen: later pages hold only other worlds', () => {
    expect(wantsNextPage(page(true, 100, 5000), 1, 300, 0)).toBe(false)
  })

  it('stops at an empty page, or past what totalCount allows, whatever hasMore says', () => {
    expect(wantsNextPage(page(true, 0, 250), 1, 1000, 5)).toBe(false)
    expect(wantsNextPage(page(true, 100, 250), 3, 1000, 5)).toBe(true)
    expect(wantsNextPage(page(true, 100, 250), 4, 1000, 5)).toBe(false)
  })

  it('reads at most the asked worlds ÷ the page size, plus one, whatever the server counts', () => {
    expect(listPageLimit(1)).toBe(2)
    expect(listPageLimit(100)).toBe(2)
    expect(listPageLimit(101)).toBe(3)
    expect(wantsNextPage(page(true, 100, 1_000_000_000), 1, 3, 3)).toBe(true)
    expect(wantsNextPage(page(true, 100, 1_000_000_000), 2, 3, 3)).toBe(false)
    expect(wantsNextPage(page(true, 100), 2, 3, 3)).toBe(false)
    expect(wantsNextPage(page(true, 100), 5, 450, 3)).toBe(true)
    expect(wantsNextPage(page(true, 100), 6, 450, 3)).toBe(false)
  })
})

describe('what a list round still GETs', () => {
  it('takes in-progress worlds from the list and GETs the absent, the final and the unknown', () => {
    const listed = new Map([
      ['RUN', world('RUN', 'RUNNING')],
      ['PRE', world('PRE', 'PREPROCESSING')],
      ['DONE', world('DONE', 'SUCCEEDED')],
      ['ODD', world('ODD', 'ARCHIVED')],
      ['NOT-ASKED', world('NOT-ASKED', 'RUNNING')]
    ])
    const split = splitByList(['RUN', 'PRE', 'DONE', 'ODD', 'GONE'], listed, w =>
      isInProgressStatus(w.status)
    )
    expect(split.fromList.map(w => w.worldId)).toEqual(['RUN', 'PRE'])
    expect(split.toGet).toEqual(['DONE', 'ODD', 'GONE'])
  })
})

describe('what the plan remembers', () => {
  it('keeps the totalCount of a list and which asked worlds were in progress', () => {
    const after = remember(memory({ roundsSinceList: 4 }), 'list', ['A', 'B', 'C'], ['A', 'Z'], 321)
    expect(after).toEqual({ lastTotalCount: 321, roundsSinceList: 0, inProgress: new Set(['A']) })
  })

  it('counts GET rounds and keeps the last totalCount', () => {
    const after = remember(memory({ lastTotalCount: 9 }), 'get', ['A'], ['A'])
    expect(after).toEqual({ lastTotalCount: 9, roundsSinceList: 1, inProgress: new Set(['A']) })
  })
})

describe('two lists that are read only once they can pay (Lux3D)', () => {
  const lux3d: ListShape = { lists: 2, firstRound: 'get' }

  it('GETs first, then lists once its two lists and the GETs cost fewer', () => {
    expect(chooseRound(ids(40), INITIAL_MEMORY, lux3d)).toBe('get')
    const afterGets = memory({ roundsSinceList: 1, inProgress: new Set(['W0', 'W1', 'W2']) })
    // Two list pages and a GET of the one asked task not in progress: 3 < 4.
    expect(chooseRound(ids(4), afterGets, lux3d)).toBe('list')
    expect(chooseRound(ids(3), afterGets, lux3d)).toBe('list')
    const twoOfThree = memory({ roundsSinceList: 1, inProgress: new Set(['W0', 'W1']) })
    expect(chooseRound(ids(3), twoOfThree, lux3d)).toBe('get')
    expect(
      chooseRound(ids(1), memory({ roundsSinceList: 1, inProgress: new Set(['W0']) }), lux3d)
    ).toBe('get')
  })

  it('counts a page of each list at least', () => {
    const known = memory({ lastTotalCount: 150, inProgress: new Set(ids(40)) })
    expect(listRoundCost(ids(40), known, lux3d)).toBe(3)
    expect(listRoundCost(ids(40), known)).toBe(2)
  })
})
