/** The words for how a wait ended: overall state, groups of tasks, why the step fails. Pure. */
import type { FailOn } from '../inputs/parse.js'
import type { PollOutcome, TaskRecord } from '../poll.js'

export type OverallState = 'succeeded' | 'failed' | 'timed-out' | 'cancelled'

export function overallState(outcome: PollOutcome): OverallState {
  if (outcome.ending === 'cancelled') return 'cancelled'
  if (outcome.tasks.some(task => !task.final)) {
    return outcome.ending === 'error' ? 'failed' : 'timed-out'
  }
  return outcome.tasks.every(task => task.state === 'succeeded') ? 'succeeded' : 'failed'
}

export interface TaskGroups {
  succeeded: string[]
  /** Final without success: failed, cancelled, timed out on the service, rejected. */
  failed: string[]
  /** Not final: still running, never returned, or in a status this action does not know. */
  pending: string[]
}

export function groupTasks(tasks: readonly TaskRecord[]): TaskGroups {
  const groups: TaskGroups = { succeeded: [], failed: [], pending: [] }
  for (const task of tasks) {
    if (!task.final) groups.pending.push(task.taskId)
    else if (task.state === 'succeeded') groups.succeeded.push(task.taskId)
    else groups.failed.push(task.taskId)
  }
  return groups
}

/**
 * Why the step fails for the tasks' outcome under `fail-on`, or undefined when it does not.
 * Cancellation always fails; API errors fail elsewhere, whatever `fail-on` says.
 */
export function failureReason(failOn: FailOn, outcome: PollOutcome): string | undefined {
  const groups = groupTasks(outcome.tasks)
  const total = outcome.tasks.length
  const state = overallState(outcome)
  if (state === 'cancelled') {
    return `The run was cancelled while waiting; ${groups.pending.length} of ${total} task(s) unfinished.`
  }
  if (failOn === 'never') return undefined
  if (failOn === 'all') {
    return groups.succeeded.length === 0
      ? `No task succeeded (${describeGroups(groups, total)}).`
      : undefined
  }
  return state === 'succeeded'
    ? undefined
    : `Not every task succeeded (${describeGroups(groups, total)}).`
}

export function describeGroups(groups: TaskGroups, total: number): string {
  const parts = [`${groups.succeeded.length} of ${total} succeeded`]
  if (groups.failed.length > 0)
    parts.push(`${groups.failed.length} failed: ${listIds(groups.failed)}`)
  if (groups.pending.length > 0)
    parts.push(`${groups.pending.length} unfinished: ${listIds(groups.pending)}`)
  return parts.join('; ')
}

function listIds(ids: readonly string[], shown = 10): string {
  return ids.length <= shown
    ? ids.join(', ')
    : `${ids.slice(0, shown).join(', ')} and ${ids.length - shown} more`
}
