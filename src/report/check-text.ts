/**
 * What a check run says, and GitHub's limits on it. Pure: no I/O, no `@actions/*`.
 */
import type { OverallState, TaskGroups } from './outcome.js'
import { cutUtf8, fitLines } from './byte-budget.js'

export type CheckConclusion = 'success' | 'failure' | 'timed_out' | 'cancelled' | 'neutral'

/** What the check run shows; `text` (the table) is left out when empty. */
export interface CheckOutput {
  title: string
  summary: string
  text?: string
}

/**
 * GitHub refuses `output.summary` and `output.text` over 65535 — counted in bytes, not
 * characters ("summary exceeds a maximum bytesize of 65535", github/docs#35252).
 */
export const CHECK_OUTPUT_LIMIT_BYTES = 65535

/** The title has no documented limit; a line is all it needs. */
const TITLE_LIMIT_BYTES = 1000

/** The check run's one-line title: what a reviewer needs from the pull request's checks list. */
export function checkTitle(state: OverallState | 'waiting', groups: TaskGroups): string {
  const total = groups.succeeded.length + groups.failed.length + groups.pending.length
  const tasks = (n: number): string => `${n} task${n === 1 ? '' : 's'}`
  const unfinished = `${groups.pending.length} of ${tasks(total)} unfinished`
  switch (state) {
    case 'waiting':
      return `Waiting: ${groups.succeeded.length + groups.failed.length} of ${tasks(total)} finished`
    case 'succeeded':
      return total === 1 ? 'The task succeeded' : `All ${tasks(total)} succeeded`
    case 'timed-out':
      return `Timed out: ${unfinished}`
    case 'cancelled':
      return `Cancelled: ${unfinished}`
    case 'failed':
      // Failed with nothing failed means the wait stopped on an API error.
      return groups.failed.length === 0
        ? `Stopped: ${unfinished}`
        : `${groups.failed.length} of ${tasks(total)} failed, ${groups.succeeded.length} succeeded`
  }
}

/**
 * Fits markdown under GitHub's limit for a check run field, cutting at a line end so no table
 * row is left half-drawn, and saying how much was left out.
 */
export function fitCheckOutput(markdown: string, limitBytes = CHECK_OUTPUT_LIMIT_BYTES): string {
  return fitLines(
    markdown.split('\n'),
    limitBytes,
    omitted =>
      `\n\n… ${omitted} more line${omitted === 1 ? '' : 's'} left out: GitHub limits a check run's text to ${limitBytes} bytes. The job summary and the \`results\` output have every task.`
  )
}

/** The whole output within GitHub's limits: a one-line title, summary and text fitted. */
export function fitOutput(output: CheckOutput): CheckOutput {
  return {
    title: cutUtf8(output.title.replace(/\s+/g, ' '), TITLE_LIMIT_BYTES),
    summary: fitCheckOutput(output.summary),
    ...(output.text ? { text: fitCheckOutput(output.text) } : {})
  }
}
