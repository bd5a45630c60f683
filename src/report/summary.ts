import { formatLabel } from '../domain/formats.js'
import { isFinalState, progressPercent } from '../domain/task-state.js'
import { type AssetFile, describeFigures } from '../assets/types.js'
import { formatBytes, formatDuration } from '../units.js'
import type { OverallState } from './outcome.js'
import type { TaskResult } from './outputs.js'
import { byteLength, cutWithNote } from './byte-budget.js'
import { CHECK_OUTPUT_LIMIT_BYTES } from './check-text.js'

/** `waiting`: the check run's table while polling goes on. */
export type SummaryState = OverallState | 'waiting'

export interface SummaryInput {
  title: string
  state: SummaryState
  /** In input order. */
  results: readonly TaskResult[]
  /** Per task id: time from the start of waiting to its final state. */
  finishedAfterMs: ReadonlyMap<string, number>
  elapsedMs: number
  /** One line under the heading: why the step failed, a timeout, an API error. */
  note?: string
  artifact?: { name: string; url: string }
}

/** GitHub refuses a step summary over 1 MiB; leave room for what other steps append. */
export const SUMMARY_BUDGET_BYTES = 900 * 1024
/** The check run's text: room under GitHub's limit for the table's own closing notes. */
export const CHECK_TEXT_BUDGET_BYTES = CHECK_OUTPUT_LIMIT_BYTES - 2048
/** The note under the heading lists problems; past this it says how many more there were. */
const NOTE_BUDGET_BYTES = 16 * 1024

/** Above this many tasks the table drops its links (they stay in the `results` output). */
export const COMPACT_ABOVE_TASKS = 300

const STATE_ICONS: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  cancelled: '🚫',
  'timed-out': '⏱️',
  rejected: '⛔',
  'not-found': '❔',
  unknown: '❔'
}

const HEADLINES: Record<SummaryState, string> = {
  waiting: '⏳ waiting for tasks to finish',
  succeeded: '✅ all tasks succeeded',
  failed: '❌ not every task succeeded',
  'timed-out': '⏱️ timed out with tasks unfinished',
  cancelled: '🚫 cancelled while waiting'
}

/** The job summary and check-run text: a table a person reads at a glance, failures first. */
export function renderSummary(input: SummaryInput, budgetBytes = SUMMARY_BUDGET_BYTES): string {
  const { results } = input
  const counts = countStates(results)
  const compact = results.length > COMPACT_ABOVE_TASKS
  const head = [
    `## ${input.title}: ${HEADLINES[input.state]}`,
    '',
    `${results.length} task${results.length === 1 ? '' : 's'} · ${counts.succeeded} succeeded · ${counts.failed} failed · ${counts.pending} unfinished · waited ${formatDuration(input.elapsedMs)}`,
    ...(input.note ? ['', escapeText(cutWithNote(input.note, NOTE_BUDGET_BYTES))] : []),
    ...(input.artifact
      ? ['', `Artifact: [${escapeText(input.artifact.name)}](${escapeUrl(input.artifact.url)})`]
      : []),
    '',
    compact
      ? '| Task | State | Finished after | Files |'
      : '| Task | State | Finished after | Assets |',
    '| --- | --- | --- | --- |'
  ].join('\n')

  const ordered = [
    ...results.filter(r => r.state !== 'succeeded'),
    ...results.filter(r => r.state === 'succeeded')
  ]
  const lines: string[] = []
  let used = byteLength(head) + 512
  for (const result of ordered) {
    const line = renderRow(result, input.finishedAfterMs.get(result.taskId), compact)
    const size = byteLength(line) + 1
    if (used + size > budgetBytes) break
    lines.push(line)
    used += size
  }
  const notes: string[] = []
  if (compact)
    notes.push(
      'Links are left out of this table to keep it short; every URL is in the `results` output.'
    )
  const omitted = ordered.length - lines.length
  if (omitted > 0) {
    notes.push(
      `${omitted} more task${omitted === 1 ? '' : 's'} (succeeded ones first) left out to stay under GitHub's size limit; see the \`results\` output.`
    )
  }
  return [head, ...lines, ...(notes.length ? ['', ...notes] : []), ''].join('\n')
}

function renderRow(
  result: TaskResult,
  finishedAfterMs: number | undefined,
  compact: boolean
): string {
  const icon = STATE_ICONS[result.state] ?? '⏳'
  const time = finishedAfterMs === undefined ? '—' : formatDuration(finishedAfterMs)
  const assets = compact ? renderFileCount(result.files) : renderAssets(result)
  const progress =
    !isFinalState(result.state) && result.progress !== undefined
      ? ` ${progressPercent(result.progress)}%`
      : ''
  // A World's cover, small, beside its id; left out of compact tables to keep them short.
  const cover =
    !compact && result.cover && /^https?:\/\//.test(result.cover)
      ? `<img src="${escapeAttribute(result.cover)}" alt="" height="32"> `
      : ''
  return `| ${cover}\`${result.taskId}\` | ${icon} ${result.state}${progress} | ${time} | ${assets} |`
}

function renderAssets(result: TaskResult): string {
  const cells: string[] = []
  // The k-th file of a format is the k-th link of it: delivery keeps the service's order.
  const seen = new Map<string, number>()
  for (const { format, url } of result.assets) {
    const nth = seen.get(format) ?? 0
    seen.set(format, nth + 1)
    const file = result.files.filter(f => f.format === format)[nth]
    cells.push(`[${formatLabel(format)}](${escapeUrl(url)})${file ? ` ${describeFile(file)}` : ''}`)
  }
  return cells.length ? cells.join(' · ') : '—'
}

function renderFileCount(files: readonly AssetFile[]): string {
  return files.length
    ? files.map(f => `${formatLabel(f.format)} ${describeFile(f)}`).join(' · ')
    : '—'
}

export function describeFile(file: AssetFile): string {
  const figures = `(${formatBytes(file.bytes)}, ${describeFigures(file)}${file.reused ? ', reused' : ''})`
  return file.overBudget ? `${figures} ⚠️ over budget: ${escapeText(file.overBudget)}` : figures
}

function countStates(results: readonly TaskResult[]): {
  succeeded: number
  failed: number
  pending: number
} {
  const counts = { succeeded: 0, failed: 0, pending: 0 }
  for (const result of results) {
    if (result.state === 'succeeded') counts.succeeded++
    else if (isFinalState(result.state)) counts.failed++
    else counts.pending++
  }
  return counts
}

// Table cells break on `|` and new lines; links break on spaces and parentheses.
export function escapeText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

function escapeUrl(url: string): string {
  return url.replace(/[\s()|<>]/g, ch =>
    encodeURIComponent(ch).replace(/[()]/g, c => (c === '(' ? '%28' : '%29'))
  )
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>|\s]/g, ch => `&#${ch.charCodeAt(0)};`)
}
