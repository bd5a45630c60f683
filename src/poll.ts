import type { AholoTask, AssetUrls, CallOptions } from './aholo/client.js'
import { DeadlineReachedError, TransientError } from './aholo/client.js'
import { describeStatus, isKnownStatus, type TaskState } from './aholo/status.js'

/** What is known of one task. */
export interface TaskRecord {
  taskId: string
  /** The last status code the service gave; undefined while never returned. */
  status: number | undefined
  state: TaskState
  final: boolean
  result: AssetUrls | null
  /** From the start of waiting to the round that first saw the task final. */
  finishedAfterMs?: number
}

export type PollEnding = 'finished' | 'timed-out' | 'cancelled' | 'error'

export interface PollOutcome {
  /** In input order. */
  tasks: TaskRecord[]
  ending: PollEnding
  /** With `error`: what stopped the wait (an API error, a malformed response). */
  error?: unknown
  /** With `timed-out`: the transient fault that was still happening, if any. */
  lastFault?: TransientError
  rounds: number
  elapsedMs: number
}

export interface PollEvents {
  /** A task's state changed; `previous` is undefined for the first sighting. */
  onStateChange?(task: TaskRecord, previous: TaskState | undefined, elapsedMs: number): void
  /** A status code this action does not know, once per code. */
  onUnknownStatus?(taskId: string, status: number): void
  /** After a round in which some task changed: every task as now known, in input order. */
  onProgress?(tasks: readonly TaskRecord[], elapsedMs: number): void
}

export interface PollOptions {
  taskIds: readonly string[]
  pollIntervalMs: number
  timeoutMs: number
  /** Ids per request; the service takes 50. */
  batchSize?: number
  listTasks(ids: string[], call: CallOptions): Promise<AholoTask[]>
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  signal?: AbortSignal
  events?: PollEvents
}

export const BATCH_SIZE = 50

/**
 * Polls until every task is final, the deadline passes, the signal aborts, or the service
 * answers with an error that waiting cannot fix. Never throws for those: the outcome says
 * which, with all that is known, so outputs can still be written.
 */
export async function pollTasks(options: PollOptions): Promise<PollOutcome> {
  const { now, sleep, signal, events } = options
  const batchSize = options.batchSize ?? BATCH_SIZE
  const start = now()
  const deadline = start + options.timeoutMs
  const records = new Map<string, TaskRecord>(
    options.taskIds.map(taskId => [
      taskId,
      { taskId, status: undefined, state: 'not-found', final: false, result: null }
    ])
  )
  const sighted = new Set<string>()
  const unknownReported = new Set<number>()
  let rounds = 0
  let changed = false

  const finish = (ending: PollEnding, extra: Partial<PollOutcome> = {}): PollOutcome => ({
    tasks: [...records.values()],
    ending,
    rounds,
    elapsedMs: now() - start,
    ...extra
  })

  const observe = (record: TaskRecord, task: AholoTask | undefined): void => {
    const previous = sighted.has(record.taskId) ? record.state : undefined
    if (task) {
      const { state, final } = describeStatus(task.status)
      if (!isKnownStatus(task.status) && !unknownReported.has(task.status)) {
        unknownReported.add(task.status)
        events?.onUnknownStatus?.(record.taskId, task.status)
      }
      record.status = task.status
      record.state = state
      record.final = final
      record.result = task.result
      if (final) record.finishedAfterMs = now() - start
    }
    if (previous === undefined || previous !== record.state) {
      sighted.add(record.taskId)
      changed = true
      events?.onStateChange?.(record, previous, now() - start)
    }
  }

  try {
    while (true) {
      if (signal?.aborted) return finish('cancelled')
      rounds++
      changed = false
      const pending = [...records.values()].filter(record => !record.final)
      for (let offset = 0; offset < pending.length; offset += batchSize) {
        const chunk = pending.slice(offset, offset + batchSize)
        const answered = new Map<string, AholoTask>()
        for (const task of await options.listTasks(
          chunk.map(record => record.taskId),
          { signal, deadline }
        )) {
          answered.set(task.taskId, task)
        }
        // A task that vanishes from the answers keeps what was last known of it.
        for (const record of chunk) {
          const task = answered.get(record.taskId)
          if (task || !sighted.has(record.taskId)) observe(record, task)
        }
      }
      if (changed) events?.onProgress?.([...records.values()], now() - start)
      if ([...records.values()].every(record => record.final)) return finish('finished')
      const remaining = deadline - now()
      if (remaining <= 0) return finish('timed-out')
      await sleep(Math.min(options.pollIntervalMs, remaining), signal)
      if (deadline - now() <= 0) return finish('timed-out')
    }
  } catch (error) {
    if (signal?.aborted) return finish('cancelled')
    if (error instanceof DeadlineReachedError) return finish('timed-out')
    if (error instanceof TransientError) return finish('timed-out', { lastFault: error })
    return finish('error', { error })
  }
}
