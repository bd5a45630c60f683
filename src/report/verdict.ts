/**
 * The verdict on a run: from how the wait ended, what delivery reported and `fail-on`, the
 * overall state, whether the step fails, the note that says why, and the check's conclusion
 * and title. Pure: every branch is a plain value in and out.
 */
import { describeError, refusedCredentials, sentence } from '../errors.js'
import type { FailOn } from '../inputs/parse.js'
import type { PollOutcome } from '../poll.js'
import { formatDuration } from '../units.js'
import { type CheckConclusion, checkTitle } from './check-text.js'
import {
  describeGroups,
  failureReason,
  groupTasks,
  type OverallState,
  overallState
} from './outcome.js'

export interface VerdictInput {
  outcome: PollOutcome
  failOn: FailOn
  timeoutMs: number
  /** The run was cancelled at any point: while waiting, downloading, uploading or reporting. */
  cancelled: boolean
  /** What was going on when a cancel came after the wait; default the delivery of the assets. */
  cancelledWhile?: string
  /** Why delivery fails the step (broken files, budgets, the upload), whatever `fail-on` says. */
  deliveryError?: string
}

export interface Verdict {
  state: OverallState
  /** The API refused the credentials or access: no task was checked. */
  setupRefused: boolean
  failing: boolean
  /** Why the step failed, or what is worth a warning; undefined when all is well. */
  note?: string
  conclusion: CheckConclusion
  title: string
}

/** The headline of a run the API refused: the tasks were not checked, so none is 'not found'. */
export const SETUP_REFUSED_TITLE = 'The API refused the credentials'

export function decideVerdict(input: VerdictInput): Verdict {
  const { outcome, failOn, cancelled, deliveryError } = input
  const groups = groupTasks(outcome.tasks)
  const state: OverallState = cancelled ? 'cancelled' : overallState(outcome)
  // An API error fails whatever `fail-on` says; task outcomes count as `fail-on` says.
  const apiError = outcome.ending === 'error' ? describeError(outcome.error) : undefined
  const setupRefused = outcome.ending === 'error' && refusedCredentials(outcome.error)
  const taskProblem = apiError
    ? undefined
    : cancelled && outcome.ending !== 'cancelled'
      ? `The run was cancelled while ${input.cancelledWhile ?? 'the assets were being delivered'}.`
      : failureReason(failOn, outcome)
  const timeoutNote = state === 'timed-out' ? describeTimeout(input) : undefined
  const outcomeNote =
    taskProblem ??
    (state === 'succeeded' ? undefined : describeGroups(groups, outcome.tasks.length))
  const failing = Boolean(apiError || taskProblem || deliveryError)
  const note = [apiError, timeoutNote, outcomeNote, deliveryError].filter(Boolean).join(' ')
  return {
    state,
    setupRefused,
    failing,
    note: note || undefined,
    conclusion: checkConclusion(state, failing),
    title: setupRefused ? SETUP_REFUSED_TITLE : checkTitle(state, groups)
  }
}

function describeTimeout({ outcome, timeoutMs }: VerdictInput): string {
  const why = outcome.deadlineNote ? `; ${outcome.deadlineNote}` : ''
  const fault = outcome.lastFault
    ? ` while the service kept failing: ${outcome.lastFault.message}`
    : ''
  return sentence(
    `Timed out after ${formatDuration(timeoutMs)} (the 'timeout' input)${why}${fault}`
  )
}

/**
 * The check's conclusion follows what the step does, so a required check agrees with the job:
 * a step that passes gives `success` when every task succeeded and `neutral` when it passes
 * with tasks that did not (`fail-on: all` or `never`); both satisfy a required check. A step
 * that fails gives `timed_out` for the action's timeout and `failure` otherwise.
 */
export function checkConclusion(state: OverallState, stepFails: boolean): CheckConclusion {
  if (state === 'cancelled') return 'cancelled'
  if (!stepFails) return state === 'succeeded' ? 'success' : 'neutral'
  return state === 'timed-out' ? 'timed_out' : 'failure'
}
