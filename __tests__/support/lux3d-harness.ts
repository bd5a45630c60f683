/**
 * The waiting loop (src/poll.ts) over a Lux3dSource against the simulated Lux3D API, on a fake
 * clock that both share: the World harness's recording, with Lux3D's source and sim.
 */
import type { Fault } from '../../src/net/retry.js'
import type { PollOptions } from '../../src/poll.js'
import { Lux3dSource, type Lux3dOptions } from '../../src/providers/lux3d/client.js'
import {
  LUX3D_API_KEY,
  type Lux3dSim,
  type Lux3dSimOptions,
  startLux3dSim
} from '../../sim/lux3d.js'
import { FakeTime } from './fake-time.js'
import { recordedPoll, recordingLog, type WorldRun } from './world-harness.js'

export class Lux3dHarness {
  time = new FakeTime()
  log = recordingLog()
  sim!: Lux3dSim
  private readonly texts: string[] = []

  everything(): string {
    return [...this.log.lines.map(line => line.message), ...this.texts].join('\n')
  }

  async start(options: Lux3dSimOptions = {}): Promise<this> {
    this.sim = await startLux3dSim({ now: this.time.now, ...options })
    return this
  }

  async close(): Promise<void> {
    await this.sim.close()
  }

  source(overrides: Partial<Lux3dOptions> = {}, retries: Fault[] = []): Lux3dSource {
    return new Lux3dSource({
      apiKey: LUX3D_API_KEY,
      region: 'cn',
      apiUrl: new URL(this.sim.url),
      clock: this.time,
      log: this.log,
      requestTimeoutMs: 2000,
      onRetry: fault => retries.push(fault),
      ...overrides
    })
  }

  async poll(
    taskIds: string[],
    options: Partial<PollOptions> = {},
    sourceOptions: Partial<Lux3dOptions> = {}
  ): Promise<WorldRun> {
    const retries: Fault[] = []
    const run = await recordedPoll(
      this.source(sourceOptions, retries),
      taskIds,
      this,
      retries,
      options
    )
    this.texts.push(run.everything)
    return run
  }

  /** API requests grouped by the fake time they were sent at: one group per round (no faults). */
  requestsPerRound(): Array<{ lists: number; gets: number }> {
    const rounds = new Map<number, { lists: number; gets: number }>()
    for (const request of this.sim.apiRequests) {
      const round = rounds.get(request.at) ?? { lists: 0, gets: 0 }
      if (request.kind === 'list') round.lists++
      else round.gets++
      rounds.set(request.at, round)
    }
    return [...rounds.values()]
  }
}
