/** The step log's lines for what the wait saw: one per change, not one per poll. Pure. */
import { progressPercent } from '../domain/task-state.js'
import type { TaskChange } from '../poll.js'
import type { Fault } from '../net/retry.js'
import type { Log } from '../runtime.js'
import { formatDuration } from '../units.js'

/** Above this many progress moves in one round, the round gets one line instead. */
export const PROGRESS_LINES_PER_ROUND = 20

export function describeRound(changes: readonly TaskChange[], elapsedMs: number): string[] {
  const at = `[${formatDuration(elapsedMs)}]`
  const moves = changes.filter(change => change.progressStep !== undefined)
  const lines = changes
    .filter(change => change.progressStep === undefined || moves.length <= PROGRESS_LINES_PER_ROUND)
    .map(change => `${at} ${describeChange(change)}`)
  if (moves.length > PROGRESS_LINES_PER_ROUND) {
    const steps = moves.map(change => (change.progressStep ?? 0) * 10)
    lines.push(
      `${at} ${moves.length} tasks moved on (now between ${Math.min(...steps)}% and ${Math.max(...steps)}%)`
    )
  }
  return lines
}

function describeChange({ task, previous, progressStep }: TaskChange): string {
  if (task.state === 'not-found')
    return `${task.taskId}: not returned by the service yet; waiting for it`
  const progress =
    !task.final && task.details?.progress !== undefined
      ? ` ${progressPercent(task.details.progress)}%`
      : ''
  if (progressStep !== undefined) return `${task.taskId}: ${task.state}${progress}`
  const status = task.state === 'unknown' ? ` (status ${String(task.status)})` : ''
  return `${task.taskId}: ${previous ? `${previous} → ` : ''}${task.state}${status}${progress}`
}

/**
 * The one warning of a run about ids the service answered for without being asked: usually a
 * typo's neighbour, or the same id in other case, which never matches.
 */
export function describeUnasked(unasked: readonly string[], asked: readonly string[]): string {
  const byLowerCase = new Map(asked.map(id => [id.toLowerCase(), id]))
  const shown = unasked.slice(0, 10).map(id => {
    const twin = byLowerCase.get(id.toLowerCase())
    return twin ? `${id} (differs from the asked-for ${twin} only in case)` : id
  })
  const more = unasked.length > 10 ? ` and ${unasked.length - 10} more` : ''
  const caseNote = unasked.some(id => byLowerCase.has(id.toLowerCase()))
    ? " Ids are matched exactly, case included: check the case of 'task-ids'."
    : ''
  return `The service answered for ${unasked.length} task id${unasked.length === 1 ? '' : 's'} that ${unasked.length === 1 ? 'was' : 'were'} not asked for, and ignored: ${shown.join(', ')}${more}.${caseNote}`
}

/** A fault of each kind gets one warning; the same kind again is logged at debug level. */
export function warnOncePerKind(
  io: Pick<Log, 'debug' | 'warning'>
): (fault: Fault, nextAttempt: number, delayMs: number) => void {
  const warned = new Set<string>()
  return (fault, nextAttempt, delayMs) => {
    const message = `Aholo API: ${fault.message}; retrying in ${formatDuration(delayMs)} (attempt ${nextAttempt}).`
    if (warned.has(fault.kind)) return io.debug(message)
    warned.add(fault.kind)
    io.warning(`${message} Further faults of this kind are logged at debug level only.`)
  }
}
