/**
 * What polling many worlds costs: requests per round, counted by the simulated gateway, against
 * what the plan promises (DESIGN.md §5): list pages, plus a GET of only the worlds that left
 * the list; or one GET per world when that is fewer.
 */
import type { WorldStep } from '../sim/world.js'
import { WorldHarness } from './support/world-harness.js'

const ROUND_MS = 10_000

let h: WorldHarness

beforeEach(async () => {
  h = await new WorldHarness().start()
})
afterEach(async () => {
  await h.close()
})

function finishingAt(at: number, final = 'SUCCEEDED'): WorldStep[] {
  return [
    { at: 0, status: 'PENDING', progress: 0 },
    { at: 5_000, status: 'RUNNING', progress: 0.3 },
    { at, status: final, progress: 1 }
  ]
}

const ids = (count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`)

it('150 worlds and 50 other in-progress worlds: list pages plus a GET of each world that left', async () => {
  const ours = ids(150, 'W')
  // Five cohorts of 30, finishing between rounds 4-5, 5-6, … 8-9.
  const finish = (i: number): number => ROUND_MS * (3 + (i % 5)) + 5_000
  ours.forEach((id, i) => h.sim.addWorld(id, finishingAt(finish(i))))
  // Added later, so newer: the list shows them first, and ours after them.
  const others = h.sim.addOtherWorlds(50)

  const run = await h.poll(ours)
  expect(run.ending).toBe('finished')
  expect(
    run.tasks.every(task => task.state === 'succeeded' && task.assets.some(a => a.format === 'spz'))
  ).toBe(true)
  expect(run.unasked).toEqual([])

  const expected = Array.from({ length: run.rounds }, (_, round) => {
    const now = round * ROUND_MS
    const inProgress = ours.filter((_, i) => finish(i) > now).length
    const left = ours.filter((_, i) => finish(i) <= now && finish(i) > now - ROUND_MS)
    return { lists: Math.ceil((others.length + inProgress) / 100), gets: left }
  })
  const actual = h.requestsPerRound()
  expect(actual).toEqual(expected)
  expect(actual.map(({ lists, gets }) => lists + gets.length)).toEqual([
    2, 2, 2, 2, 32, 32, 32, 31, 31
  ])
  // One GET per world in all, and none of the account's other worlds.
  const gets = h.sim.apiRequests.filter(request => request.method === 'GET')
  expect(gets).toHaveLength(150)
  expect(new Set(gets.map(request => request.worldId)).size).toBe(150)
  // The SDK's way, one GET per unfinished world per round, would have cost this many.
  const unfinishedAt = (now: number): number => ours.filter((_, i) => finish(i) > now).length
  const perWorld = expected.reduce((sum, _, round) => sum + unfinishedAt((round - 1) * ROUND_MS), 0)
  expect(h.sim.apiRequests.length).toBeLessThan(perWorld / 4)
})

it('3 worlds and 500 other in-progress worlds: one list, then GETs, and a probe now and then', async () => {
  const ours = ids(3, 'W')
  ours.forEach(id => h.sim.addWorld(id, finishingAt(14 * ROUND_MS - 5_000)))
  h.sim.addOtherWorlds(500)

  const run = await h.poll(ours)
  expect(run.ending).toBe('finished')
  const rounds = h.requestsPerRound()
  expect(rounds).toHaveLength(15)
  // 503 in progress, ours (the oldest) on the sixth page: the list stops at the bound for 3
  // asked worlds (2 pages), and GETs the 3 it did not show.
  expect(rounds[0]).toEqual({ lists: 2, gets: ours })
  const gets = { lists: 0, gets: ours }
  expect(rounds.slice(1, 11)).toEqual(Array(10).fill(gets))
  // Round 12: one list request of one world says the list is still dear.
  expect(rounds[11]).toEqual({ lists: 1, gets: ours })
  expect(h.sim.apiRequests.filter(r => r.method === 'POST')[2].list).toMatchObject({
    pageNum: 0,
    pageSize: 1
  })
  expect(rounds.slice(12)).toEqual(Array(3).fill(gets))
})

it('probes the list after ten rounds of GETs, and lists once that pays', async () => {
  const ours = ids(3, 'W')
  ours.forEach(id => h.sim.addWorld(id, finishingAt(20 * ROUND_MS - 5_000)))
  // The account's other worlds finish early: only a new list can tell.
  ids(500, 'OTHER').forEach(id => h.sim.addWorld(id, finishingAt(25_000)))

  const run = await h.poll(ours)
  expect(run.ending).toBe('finished')
  const rounds = h.requestsPerRound()
  expect(rounds).toHaveLength(21)
  expect(rounds[0]).toEqual({ lists: 2, gets: ours })
  expect(rounds.slice(1, 11)).toEqual(Array(10).fill({ lists: 0, gets: ours }))
  // Round 12: the probe finds 3 in progress, so the round lists (one page); so do later ones.
  expect(rounds[11]).toEqual({ lists: 2, gets: [] })
  expect(rounds.slice(12, 20)).toEqual(Array(8).fill({ lists: 1, gets: [] }))
  expect(rounds[20]).toEqual({ lists: 1, gets: ours })
})
