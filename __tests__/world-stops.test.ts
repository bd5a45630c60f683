/**
 * How a wait on the World gateway ends when it does not end well: the deadline, a cancel, a
 * refusal among many GETs in flight. And the asset files its worlds point at.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sendRequest } from '../src/net/http.js'
import { WorldAccessError } from '../src/providers/world/envelope.js'
import { DEFAULT_API_KEY, risingTimeline, type WorldStep } from '../sim/world.js'
import { WorldHarness } from './support/world-harness.js'

const SPZ = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../__fixtures__/splats/spz/v4_1k_sh3.spz'
)
const DONE: WorldStep[] = [{ at: 0, status: 'SUCCEEDED', progress: 1 }]

let h: WorldHarness

beforeEach(async () => {
  h = await new WorldHarness().start()
})
afterEach(async () => {
  expect(h.everything()).not.toContain(DEFAULT_API_KEY)
  await h.close()
})

it('a Retry-After beyond the timeout ends the wait at the deadline, saying so', async () => {
  h.sim.addWorld('W1', risingTimeline(10_000))
  h.sim.injectFaults({ kind: 'rate-limit', retryAfter: '3600' })
  const run = await h.poll(['W1'], { timeoutMs: 60_000 })
  expect(run.ending).toBe('timed-out')
  expect(run.lastFault?.kind).toBe('HTTP 429')
  expect(run.deadlineNote).toContain('beyond the')
  expect(h.time.current).toBe(60_000)
  expect(h.sim.apiRequests).toHaveLength(1)
})

it('a cancel stops GETs in flight at once', async () => {
  ids(4).forEach(id => h.sim.addWorld(id, DONE).injectWorldFaults(id, { kind: 'slow', ms: 20_000 }))
  const controller = new AbortController()
  const started = performance.now()
  setTimeout(() => controller.abort(), 200)
  const run = await h.poll(ids(4), { signal: controller.signal })
  expect(run.ending).toBe('cancelled')
  expect(performance.now() - started).toBeLessThan(10_000)
})

it('a 403 among GETs in flight fails the round without waiting for the others', async () => {
  ids(12).forEach(id =>
    h.sim.addWorld(id, DONE).injectWorldFaults(id, { kind: 'slow', ms: 20_000 })
  )
  h.sim.addWorld('THEIRS', { timeline: DONE, account: 'someone-else' })
  const started = performance.now()
  const run = await h.poll(['THEIRS', ...ids(12)], {}, { requestTimeoutMs: 60_000 })
  expect(run.ending).toBe('error')
  expect(run.error).toBeInstanceOf(WorldAccessError)
  expect((run.error as WorldAccessError).worldId).toBe('THEIRS')
  // The slow answers would take 20 s; the refusal stops them.
  expect(performance.now() - started).toBeLessThan(10_000)
  // Eight at a time: the five queued behind the first eight are never sent.
  expect(h.sim.apiRequests.filter(request => request.method === 'GET').length).toBeLessThanOrEqual(
    8
  )
})

it("serves a finished world's asset files as the open-platform sim does", async () => {
  h.sim.addWorld('W1', DONE)
  h.sim.addAsset(h.sim.assetPath('W1', 'spz'), { kind: 'file', path: SPZ })
  const run = await h.poll(['W1'])
  const url = run.tasks[0].assets.find(asset => asset.format === 'spz')?.url
  expect(url).toBe(h.sim.assetUrl('W1', 'spz'))
  const response = await sendRequest({ method: 'GET', url: new URL(url ?? ''), timeoutMs: 5000 })
  expect(response.status).toBe(200)
  const chunks: Buffer[] = []
  for await (const chunk of response.body) chunks.push(chunk as Buffer)
  expect(Buffer.concat(chunks).equals(readFileSync(SPZ))).toBe(true)
})

function ids(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `W${i}`)
}
