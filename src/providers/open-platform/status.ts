import type { TaskState } from '../../domain/task-state.js'

/** The open platform's integer status codes (DESIGN.md §2). */
const STATES: ReadonlyMap<number, TaskState> = new Map([
  [0, 'queued'],
  [1, 'waiting'],
  [2, 'running'],
  [8, 'preprocessing'],
  [3, 'succeeded'],
  [4, 'failed'],
  [5, 'cancelled'],
  [6, 'timed-out'],
  [7, 'rejected']
])

/** Maps the service's status code; codes it may add later are `unknown`, and not final. */
export function stateOfStatus(status: number): TaskState {
  return STATES.get(status) ?? 'unknown'
}

export function isKnownStatus(status: number): boolean {
  return STATES.has(status)
}
