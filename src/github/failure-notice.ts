/**
 * What the log says when a check run request fails, by the kind of failure. Pure: the check run
 * decides what to do (turn itself off on a refusal), this says it.
 */
import { errorMessage } from '../errors.js'
import { ChecksPermissionError, ChecksRejectedError } from './checks-api.js'

export type CheckRunCall = 'create' | 'update' | 'complete'

export interface FailureNotice {
  level: 'warning' | 'debug'
  message: string
  /** Set when GitHub refused for good: no further request is worth making. */
  refused?: 'permission' | 'rejected'
}

export interface FailureContext {
  /** The check's name. */
  name: string
  /** The call was made by `complete()`, so nothing comes after it. */
  atEnd: boolean
  /** The call was abandoned on purpose (the run was cancelled, or the completion took over). */
  abandoned: boolean
  /** Updates that failed before this one: only the first is a warning. */
  earlierUpdateFailures: number
}

export function failureNotice(
  what: CheckRunCall,
  error: unknown,
  context: FailureContext
): FailureNotice {
  const subject = `check run '${context.name}'`
  const message = errorMessage(error)
  if (error instanceof ChecksPermissionError) {
    return {
      level: 'warning',
      refused: 'permission',
      message: `Could not ${what} the ${subject}: the 'github-token' may not write checks (${message}). Add \`permissions: checks: write\` to the workflow or the job that runs this step, next to \`contents: read\` (a permissions block drops every permission it does not list), or use a token with the Checks write permission. Pull requests from forks get a read-only GITHUB_TOKEN whatever the workflow asks. The action's outcome is not affected.`
    }
  }
  if (error instanceof ChecksRejectedError) {
    return {
      level: 'warning',
      refused: 'rejected',
      message: `Could not ${what} the ${subject}: ${message}. No further check run requests are made; the action's outcome is not affected.`
    }
  }
  if (context.abandoned && !context.atEnd) {
    return {
      level: 'debug',
      message: `The request to ${what} the ${subject} was abandoned: ${message}`
    }
  }
  if (what === 'update' && context.earlierUpdateFailures > 0) {
    return { level: 'debug', message: `Could not update the ${subject}: ${message}` }
  }
  const next =
    what === 'create'
      ? context.atEnd
        ? 'no check run is shown for this run'
        : 'it will be created when the action completes'
      : what === 'update'
        ? 'later updates are still tried; further update failures are logged at debug level only'
        : 'the check run is left as it was'
  return {
    level: 'warning',
    message: `Could not ${what} the ${subject}: ${message}; ${next}. The action's outcome is not affected.`
  }
}
