/** What the action calls a task's condition, whichever API reported it (DESIGN.md §2, §2b). */
export type TaskState =
  | 'queued'
  | 'waiting'
  | 'running'
  | 'preprocessing'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timed-out'
  | 'rejected'
  /** A status this action does not know: treated as unfinished. */
  | 'unknown'
  /** Not returned by the API (yet). */
  | 'not-found'

export type FinalState = 'succeeded' | 'failed' | 'cancelled' | 'timed-out' | 'rejected'

const FINAL_STATES: ReadonlySet<TaskState> = new Set<FinalState>([
  'succeeded',
  'failed',
  'cancelled',
  'timed-out',
  'rejected'
])

/** Whether a task in this state has ended on the service and will not change again. */
export function isFinalState(state: TaskState): state is FinalState {
  return FINAL_STATES.has(state)
}

/** A service's progress (0.0-1.0, clamped should it stray) as a whole percentage, 0-100. */
export function progressPercent(progress: number): number {
  return Math.floor(Math.min(1, Math.max(0, progress)) * 100)
}
