import * as core from '@actions/core'
import {
  AholoApiError,
  AholoClient,
  MalformedResponseError,
  type TransientError
} from './aholo/client.js'
import { formatDuration } from './duration.js'
import { type Config, InputError, type InputName, parseInputs, SECRET_INPUTS } from './inputs.js'
import {
  buildOutputs,
  describeGroups,
  failureReason,
  groupTasks,
  type OutputExtras,
  overallState,
  taskResults
} from './outcome.js'
import { pollTasks, type PollOutcome, type TaskRecord } from './poll.js'
import { sleep as realSleep } from './sleep.js'
import { renderSummary } from './summary.js'

/** What the run takes from the world; tests replace the clock and the waits. */
export interface RunDeps {
  now: () => number
  wallClock: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  random: () => number
  /** Aborts when the runner cancels the job. */
  signal?: AbortSignal
  env: NodeJS.ProcessEnv
  requestTimeoutMs: number
}

export function defaultRunDeps(signal?: AbortSignal): RunDeps {
  return {
    now: () => performance.now(),
    wallClock: Date.now,
    sleep: realSleep,
    random: Math.random,
    signal,
    env: process.env,
    requestTimeoutMs: 30_000
  }
}

/** The action: every failure, of any kind, ends in core.setFailed and nothing else. */
export async function run(deps: RunDeps = defaultRunDeps()): Promise<void> {
  try {
    await runAction(deps)
  } catch (error) {
    core.setFailed(describeError(error))
  }
}

async function runAction(deps: RunDeps): Promise<void> {
  const read = (name: InputName): string => core.getInput(name)
  for (const name of SECRET_INPUTS) {
    const secret = read(name)
    if (secret) core.setSecret(secret)
  }
  const config = parseInputs(read, deps.env.GITHUB_WORKSPACE || process.cwd())
  config.notices.forEach(message => core.notice(message))
  config.warnings.forEach(message => core.warning(message))

  const outcome = await waitForTasks(config, deps)
  const results = taskResults(outcome.tasks)
  const extras: OutputExtras = {}
  setOutputs(buildOutputs(outcome, results, extras))

  const state = overallState(outcome)
  const problem =
    outcome.ending === 'error'
      ? describeError(outcome.error)
      : failureReason(config.failOn, outcome)
  const timeoutNote =
    state === 'timed-out'
      ? `Timed out after ${formatDuration(config.timeoutMs)} (the 'timeout' input)${outcome.lastFault ? ` while the service kept failing: ${outcome.lastFault.message}` : ''}.`
      : undefined
  const note = [
    timeoutNote,
    problem ??
      (state !== 'succeeded'
        ? describeGroups(groupTasks(outcome.tasks), outcome.tasks.length)
        : undefined)
  ]
    .filter(Boolean)
    .join(' ')

  await writeSummary(config, outcome, results, note)

  if (problem) core.setFailed([timeoutNote, problem].filter(Boolean).join(' '))
  else if (state !== 'succeeded') core.warning(note)
}

async function waitForTasks(config: Config, deps: RunDeps): Promise<PollOutcome> {
  const warnedFaults = new Set<string>()
  const client = new AholoClient({
    apiUrl: config.apiUrl,
    credentials: config.credentials,
    now: deps.now,
    wallClock: deps.wallClock,
    sleep: deps.sleep,
    random: deps.random,
    requestTimeoutMs: deps.requestTimeoutMs,
    debug: core.debug,
    onRetry: (fault: TransientError, attempt, delayMs) => {
      const message = `Aholo API: ${fault.message}; retrying in ${formatDuration(delayMs)} (attempt ${attempt + 1}).`
      if (warnedFaults.has(fault.kind)) return core.debug(message)
      warnedFaults.add(fault.kind)
      core.warning(`${message} Further faults of this kind are logged at debug level only.`)
    }
  })

  const count = config.taskIds.length
  core.startGroup(
    `Waiting for ${count} Aholo task${count === 1 ? '' : 's'} (every ${formatDuration(config.pollIntervalMs)}, up to ${formatDuration(config.timeoutMs)})`
  )
  try {
    return await pollTasks({
      taskIds: config.taskIds,
      pollIntervalMs: config.pollIntervalMs,
      timeoutMs: config.timeoutMs,
      listTasks: (ids, call) => client.listTasks(ids, call),
      now: deps.now,
      sleep: deps.sleep,
      signal: deps.signal,
      events: {
        onStateChange: (task, previous, elapsedMs) =>
          core.info(describeChange(task, previous, elapsedMs)),
        onUnknownStatus: (taskId, status) =>
          core.warning(
            `Task ${taskId} has status ${status}, which this action does not know; it is treated as unfinished and polling goes on. Other tasks with status ${status} are not reported again.`
          )
      }
    })
  } finally {
    core.endGroup()
  }
}

function describeChange(task: TaskRecord, previous: string | undefined, elapsedMs: number): string {
  const at = `[${formatDuration(elapsedMs)}]`
  if (task.state === 'not-found')
    return `${at} ${task.taskId}: not returned by the service yet; waiting for it`
  return `${at} ${task.taskId}: ${previous ? `${previous} → ` : ''}${task.state}${task.status !== undefined && task.state === 'unknown' ? ` (status ${task.status})` : ''}`
}

function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

async function writeSummary(
  config: Config,
  outcome: PollOutcome,
  results: ReturnType<typeof taskResults>,
  note: string
): Promise<void> {
  const finishedAfterMs = new Map(
    outcome.tasks.flatMap(task =>
      task.finishedAfterMs === undefined ? [] : [[task.taskId, task.finishedAfterMs] as const]
    )
  )
  const markdown = renderSummary({
    title: config.checkName,
    state: overallState(outcome),
    results,
    finishedAfterMs,
    elapsedMs: outcome.elapsedMs,
    note: note || undefined
  })
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set; no job summary written.')
    return
  }
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${describeError(error)}`)
  }
}

/** One line a user can act on, for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof InputError) return error.message
  if (error instanceof AholoApiError) {
    return `${error.message}. If this is a signature error (签名错误), check 'app-key', 'app-secret' and 'app-uid', and that the runner's clock is right (the timestamp must be within 5 minutes of the service's).`
  }
  if (error instanceof MalformedResponseError)
    return `Unexpected response from the Aholo API: ${error.message}`
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
