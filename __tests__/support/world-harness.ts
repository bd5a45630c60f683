/**
 * The waiting loop (src/poll.ts) over a WorldSource against the simulated World gateway, on a
 * fake clock that both share: what the loop saw, and every line and message that came out of it.
 */
import { describeError } from '../../src/errors.js'
import type { Fault } from '../../src/net/retry.js'
import { pollTasks, type PollOptions, type PollOutcome } from '../../src/poll.js'
import { WorldSource, type WorldOptions } from '../../src/providers/world/client.js'
import type { TaskSource } from '../../src/providers/provider.js'
import type { Log } from '../../src/runtime.js'
import {
  DEFAULT_API_KEY,
  startWorldSim,
  type WorldSim,
  type WorldSimOptions
} from '../../sim/world.js'
import { FakeTime } from './fake-time.js'

export interface RecordingLog extends Log {
  lines: Array<{ level: string; message: string }>
  warnings(): string[]
}

export function recordingLog(): RecordingLog {
  const lines: RecordingLog['lines'] = []
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message })
    }
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    notice: at('notice'),
    warning: at('warning'),
    startGroup: at('group'),
    endGroup: () => undefined,
    warnings: () => lines.filter(line => line.level === 'warning').map(line => line.message)
  }
}

export interface WorldRun extends PollOutcome {
  /** `id:previous>state`, and `id:state n0%` for progress steps. */
  changes: string[]
  unknown: Array<[string, number | string]>
  unasked: string[]
  retries: Fault[]
  /** Every line logged, every retry's message, and the error's, for secret checks. */
  everything: string
}

export class WorldHarness {
  time = new FakeTime()
  log = recordingLog()
  sim!: WorldSim
  private readonly texts: string[] = []

  /** Everything any run of this harness logged, retried with or failed with. */
  everything(): string {
    return [...this.log.lines.map(line => line.message), ...this.texts].join('\n')
  }

  async start(options: WorldSimOptions = {}): Promise<this> {
    this.sim = await startWorldSim({ now: this.time.now, ...options })
    return this
  }

  async close(): Promise<void> {
    await this.sim.close()
  }

  source(overrides: Partial<WorldOptions> = {}, retries: Fault[] = []): WorldSource {
    return new WorldSource({
      apiKey: DEFAULT_API_KEY,
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
    sourceOptions: Partial<WorldOptions> = {}
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
  requestsPerRound(): Array<{ lists: number; gets: string[] }> {
    // A round's requests come within a second (list pages are paced apart); rounds are seconds
    // apart.
    const rounds = new Map<number, { lists: number; gets: string[] }>()
    let roundStart = -Infinity
    for (const request of this.sim.apiRequests) {
      if (request.at - roundStart > 1000) roundStart = request.at
      const round = rounds.get(roundStart) ?? { lists: 0, gets: [] }
      if (request.method === 'POST') round.lists++
      else round.gets.push(request.worldId ?? '?')
      rounds.set(roundStart, round)
    }
    // GETs of one round run side by side: their order of arrival means nothing.
    return [...rounds.values()].map(({ lists, gets }) => ({ lists, gets: gets.sort() }))
  }
}

/** The waiting loop over `source` on the harness's clock: what it saw, and every text it made. */
export async function recordedPoll(
  source: TaskSource,
  taskIds: string[],
  harness: { time: FakeTime; log: RecordingLog },
  retries: Fault[],
  options: Partial<PollOptions> = {}
): Promise<WorldRun> {
  const recorded = {
    changes: [] as string[],
    unknown: [] as WorldRun['unknown'],
    unasked: [] as string[]
  }
  const outcome = await pollTasks({
    taskIds,
    pollIntervalMs: 10_000,
    timeoutMs: 600_000,
    source,
    clock: harness.time,
    signal: new AbortController().signal,
    events: {
      onRound: changes => {
        for (const { task, previous, progressStep } of changes) {
          recorded.changes.push(
            progressStep === undefined
              ? `${task.taskId}:${previous ?? '-'}>${task.state}`
              : `${task.taskId}:${task.state} ${progressStep}0%`
          )
        }
      },
      onUnknownStatus: (taskId, status) => recorded.unknown.push([taskId, status]),
      onUnasked: ids => recorded.unasked.push(...ids)
    },
    ...options
  })
  const everything = [
    ...harness.log.lines.map(line => line.message),
    ...retries.map(fault => fault.message),
    outcome.error === undefined ? '' : describeError(outcome.error)
  ].join('\n')
  return { ...outcome, ...recorded, retries, everything }
}
