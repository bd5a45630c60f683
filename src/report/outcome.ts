import type { AssetFile } from '../assets/types.js'
import type { FailOn } from '../inputs/parse.js'
import type { PollOutcome, TaskRecord } from '../poll.js'

/** Every output of action.yml, by name: the single list that the code, action.yml and README share. */
export const OUTPUT_NAMES = [
  'state',
  'results',
  'succeeded',
  'failed',
  'pending',
  'ply-url',
  'spz-url',
  'sog-url',
  'ply-urls',
  'spz-urls',
  'sog-urls',
  'download-dir',
  'artifact-id',
  'artifact-url',
  'artifact-digest',
  'check-run-url'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]

export type OverallState = 'succeeded' | 'failed' | 'timed-out' | 'cancelled'

export interface TaskResult {
  taskId: string
  status: number | null
  state: string
  plyPath: string | null
  spzPath: string | null
  sogPath: string | null
  files: AssetFile[]
}

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

export function taskResults(
  tasks: readonly TaskRecord[],
  files: ReadonlyMap<string, AssetFile[]> = new Map()
): TaskResult[] {
  return tasks.map(task => ({
    taskId: task.taskId,
    status: task.status ?? null,
    state: task.state,
    plyPath: task.result?.plyPath ?? null,
    spzPath: task.result?.spzPath ?? null,
    sogPath: task.result?.sogPath ?? null,
    files: files.get(task.taskId) ?? []
  }))
}

export interface OutputExtras {
  downloadDir?: string
  artifact?: { id: number | string; url: string; digest: string }
  checkRunUrl?: string
}

/** Every output's value; the ones without a value are empty strings, so none is ever missing. */
export function buildOutputs(
  outcome: PollOutcome,
  results: readonly TaskResult[],
  extras: OutputExtras = {}
): Record<OutputName, string> {
  const groups = groupTasks(outcome.tasks)
  const succeeded = results.filter(result => result.state === 'succeeded')
  const urls = (key: 'plyPath' | 'spzPath' | 'sogPath'): string =>
    JSON.stringify(succeeded.flatMap(result => (result[key] ? [result[key]] : [])))
  const first = results[0]
  return {
    state: overallState(outcome),
    results: JSON.stringify(results),
    succeeded: JSON.stringify(groups.succeeded),
    failed: JSON.stringify(groups.failed),
    pending: JSON.stringify(groups.pending),
    'ply-url': first?.plyPath ?? '',
    'spz-url': first?.spzPath ?? '',
    'sog-url': first?.sogPath ?? '',
    'ply-urls': urls('plyPath'),
    'spz-urls': urls('spzPath'),
    'sog-urls': urls('sogPath'),
    'download-dir': extras.downloadDir ?? '',
    'artifact-id': extras.artifact ? String(extras.artifact.id) : '',
    'artifact-url': extras.artifact?.url ?? '',
    'artifact-digest': extras.artifact?.digest ?? '',
    'check-run-url': extras.checkRunUrl ?? ''
  }
}
