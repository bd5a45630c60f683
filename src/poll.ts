/**
 * The waiting loop: asks a TaskSource about the unfinished tasks every `poll-interval` until
 * every task is final, the deadline passes, the run is cancelled, or the service gives an
 * answer that waiting cannot fix. It never throws for those: the outcome says which, with all
 * that is known, so that outputs can still be written.
 */
import type { AssetLink } from './domain/formats.js'
import { isFinalState, progressPercent, type TaskState } from './domain/task-state.js'
import { DeadlineError, type Fault } from './net/retry.js'
import type { TaskDetails, TaskSnapshot, TaskSource } from './providers/provider.js'
import type { Clock } from './runtime.js'

/** What is known of one task. */
export interface TaskRecord {
  taskId: string
  /** The service's last word on it; undefined while never returned. */
  status: number | string | undefined
  state: TaskState
  final: boolean
  assets: AssetLink[]
  details?: TaskDetails
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
  /** With `timed-out`: the fault that was still happening, if any. */
  lastFault?: Fault
  /** With `timed-out`: why the last wait ran to the deadline, if the service asked for it. */
  deadlineNote?: string
  rounds: number
  elapsedMs: number
}

/** A task whose state, or progress in steps of 10%, moved in a round. */
export interface TaskChange {
  task: TaskRecord
  /** Undefined for the first sighting. */
  previous: TaskState | undefined
  /** Set when only the progress moved: the 10% step it reached. */
  progressStep?: number
}

export interface PollEvents {
  /** After a round in which some task changed: the changes, then every task in input order. */
  onRound?(changes: readonly TaskChange[], tasks: readonly TaskRecord[], elapsedMs: number): void
  /** A status this action does not know, once per value. */
  onUnknownStatus?(taskId: string, status: number | string): void
  /** Ids the service answered for without being asked, once per run. */
  onUnasked?(ids: readonly string[]): void
  /** A task seen final for the first time (downloads may start). */
  onFinal?(task: TaskRecord): void
}

export interface PollOptions {
  taskIds: readonly string[]
  pollIntervalMs: number
  timeoutMs: number
  source: TaskSource
  clock: Clock
  signal: AbortSignal
  events?: PollEvents
}

/** Polls until every task is final, the deadline, cancellation, or an API error. */
export async function pollTasks(options: PollOptions): Promise<PollOutcome> {
  const { clock, signal, events, source } = options
  const start = clock.now()
  const deadline = start + options.timeoutMs
  const records = new Map<string, TaskRecord>(
    options.taskIds.map(taskId => [
      taskId,
      { taskId, status: undefined, state: 'not-found', final: false, assets: [] }
    ])
  )
  const sighted = new Set<string>()
  const unknownReported = new Set<number | string>()
  let unaskedReported = false
  let rounds = 0

  const finish = (ending: PollEnding, extra: Partial<PollOutcome> = {}): PollOutcome => ({
    tasks: [...records.values()],
    ending,
    rounds,
    elapsedMs: clock.now() - start,
    ...extra
  })

  const observe = (
    record: TaskRecord,
    snapshot: TaskSnapshot | undefined
  ): TaskChange | undefined => {
    const previous = sighted.has(record.taskId) ? record.state : undefined
    const previousStep = progressStep(record.details?.progress)
    if (snapshot) {
      if (snapshot.state === 'unknown' && !unknownReported.has(snapshot.status)) {
        unknownReported.add(snapshot.status)
        events?.onUnknownStatus?.(record.taskId, snapshot.status)
      }
      record.status = snapshot.status
      record.state = snapshot.state
      record.final = isFinalState(snapshot.state)
      record.assets = snapshot.assets
      record.details = snapshot.details
      if (record.final) record.finishedAfterMs = clock.now() - start
    }
    sighted.add(record.taskId)
    if (previous === undefined || previous !== record.state) {
      return { task: record, previous }
    }
    const step = progressStep(record.details?.progress)
    if (!record.final && step !== undefined && step !== previousStep) {
      return { task: record, previous, progressStep: step }
    }
    return undefined
  }

  const reportUnasked = (answers: readonly TaskSnapshot[]): void => {
    if (unaskedReported) return
    const unasked = answers.filter(answer => !records.has(answer.taskId)).map(a => a.taskId)
    if (unasked.length === 0) return
    unaskedReported = true
    events?.onUnasked?.([...new Set(unasked)])
  }

  try {
    while (true) {
      if (signal.aborted) return finish('cancelled')
      rounds++
      const pending = [...records.values()].filter(record => !record.final)
      const answers = await source.poll(
        pending.map(record => record.taskId),
        { signal, deadline }
      )
      const answered = new Map(answers.map(answer => [answer.taskId, answer]))
      reportUnasked(answers)
      const changes: TaskChange[] = []
      for (const record of pending) {
        // A task that vanishes from the answers keeps what was last known of it.
        const snapshot = answered.get(record.taskId)
        if (!snapshot && sighted.has(record.taskId)) continue
        const change = observe(record, snapshot)
        if (change) changes.push(change)
      }
      if (changes.length > 0) {
        events?.onRound?.(changes, [...records.values()], clock.now() - start)
        for (const change of changes) {
          if (change.task.final && change.progressStep === undefined) events?.onFinal?.(change.task)
        }
      }
      if ([...records.values()].every(record => record.final)) return finish('finished')
      const remaining = deadline - clock.now()
      if (remaining <= 0) return finish('timed-out')
      await clock.sleep(Math.min(options.pollIntervalMs, remaining), signal)
      if (deadline - clock.now() <= 0) return finish('timed-out')
    }
  } catch (error) {
    if (signal.aborted) return finish('cancelled')
    if (error instanceof DeadlineError) {
      return finish('timed-out', { lastFault: error.lastFault, deadlineNote: error.note })
    }
    return finish('error', { error })
  }
}

/** 0-10: which tenth of the way a task is, for logging progress without a line per poll. */
function progressStep(progress: number | undefined): number | undefined {
  if (progress === undefined || !Number.isFinite(progress)) return undefined
  return Math.floor(progressPercent(progress) / 10)
}
