import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { AholoApiError, AholoClient, MalformedResponseError } from './providers/open-platform/client.js'
import type { Delivery } from './assets/deliver.js'
import {
  CHECK_OUTPUT_LIMIT_BYTES,
  checkConclusion,
  type CheckOutput,
  CheckRunReporter,
  checkRunTarget,
  checkTitle
} from './github/check-run.js'
import { formatDuration } from './units.js'
import { type Config, InputError, type InputName, parseInputs, SECRET_INPUTS } from './inputs/parse.js'
import {
  buildOutputs,
  describeGroups,
  failureReason,
  groupTasks,
  overallState,
  type OutputExtras,
  taskResults
} from './report/outcome.js'
import { pollTasks, type PollOutcome, type TaskRecord } from './poll.js'
import { sleep as realSleep } from './sleep.js'
import { renderSummary, type SummaryInput } from './report/summary.js'

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

/** Room under GitHub's limit for the table's own closing notes. */
const CHECK_TEXT_BUDGET_BYTES = CHECK_OUTPUT_LIMIT_BYTES - 2048

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

  const checkRun = await startCheckRun(config, deps)
  try {
    await waitAndReport(config, deps, checkRun)
  } catch (error) {
    // Whatever stops the action, its check run must not stay in progress on the pull request.
    await checkRun?.complete('failure', {
      title: 'The action failed',
      summary: describeError(error)
    })
    throw error
  }
}

async function waitAndReport(
  config: Config,
  deps: RunDeps,
  checkRun: CheckRunReporter | undefined
): Promise<void> {
  const outcome = await waitForTasks(config, deps, checkRun)
  const extras: OutputExtras = { checkRunUrl: checkRun?.htmlUrl }
  // Set before any download, so that whatever happens next, later steps have them.
  setOutputs(buildOutputs(outcome, taskResults(outcome.tasks), extras))

  const state = overallState(outcome)
  let delivery: Delivery | undefined
  if (config.download.length > 0 && state !== 'cancelled') {
    // Downloading, verifying and uploading stay out of the start path of runs that need none.
    const { deliverAssets } = await import('./assets/deliver.js')
    delivery = await deliverAssets(config, outcome.tasks, {
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      signal: deps.signal,
      env: deps.env,
      log: actionLog
    })
    extras.downloadDir = delivery.downloadDir
    extras.artifact = delivery.artifact
  }
  const results = taskResults(outcome.tasks, delivery?.files)
  if (delivery) setOutputs(buildOutputs(outcome, results, extras))

  // An API error fails whatever `fail-on` says; task outcomes count as `fail-on` says.
  const apiError = outcome.ending === 'error' ? describeError(outcome.error) : undefined
  const taskProblem = apiError ? undefined : failureReason(config.failOn, outcome)
  const failing = Boolean(apiError || taskProblem || delivery?.error)
  const timeoutNote =
    state === 'timed-out'
      ? `Timed out after ${formatDuration(config.timeoutMs)} (the 'timeout' input)${outcome.lastFault ? ` while the service kept failing: ${outcome.lastFault.message}` : ''}.`
      : undefined
  const outcomeNote =
    taskProblem ??
    (state === 'succeeded'
      ? undefined
      : describeGroups(groupTasks(outcome.tasks), outcome.tasks.length))
  const note = [apiError, timeoutNote, outcomeNote, delivery?.error].filter(Boolean).join(' ')

  const summary: SummaryInput = {
    title: config.checkName,
    state,
    results,
    finishedAfterMs: finishedTimes(outcome.tasks),
    elapsedMs: outcome.elapsedMs,
    note: note ? `${failing ? '❌ The step failed: ' : ''}${note}` : undefined,
    artifact: delivery?.artifact
      ? { name: config.artifactName, url: delivery.artifact.url }
      : undefined
  }
  await writeSummary(summary)

  if (checkRun) {
    const groups = groupTasks(outcome.tasks)
    const completed = await checkRun.complete(checkConclusion(state, failing), {
      title: checkTitle(state, groups),
      summary: note || describeGroups(groups, outcome.tasks.length),
      text: renderSummary(summary, CHECK_TEXT_BUDGET_BYTES)
    })
    // Differs only when the check run could not be created at the start and was at the end.
    if (completed && completed.url !== extras.checkRunUrl) {
      extras.checkRunUrl = completed.url
      setOutputs(buildOutputs(outcome, results, extras))
    }
  }

  if (failing) core.setFailed(note)
  else if (note) core.warning(note)
}

/** With a token, the check run that shows the outcome on the commit; without one, nothing. */
async function startCheckRun(config: Config, deps: RunDeps): Promise<CheckRunReporter | undefined> {
  if (!config.githubToken) return undefined
  let target
  try {
    target = checkRunTarget(deps.env, path => readFileSync(path, 'utf8'))
  } catch (error) {
    core.warning(`No check run is made: ${describeError(error)}`)
    return undefined
  }
  const count = config.taskIds.length
  return CheckRunReporter.start({
    token: config.githubToken,
    name: config.checkName,
    target,
    now: deps.now,
    wallClock: deps.wallClock,
    log: actionLog,
    initialOutput: {
      title: `Waiting for ${count} task${count === 1 ? '' : 's'}`,
      summary: `Polling the Aholo API every ${formatDuration(config.pollIntervalMs)} for up to ${formatDuration(config.timeoutMs)}.`
    }
  })
}

async function waitForTasks(
  config: Config,
  deps: RunDeps,
  checkRun?: CheckRunReporter
): Promise<PollOutcome> {
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
    onRetry: (fault, attempt, delayMs) => {
      const message = `Aholo API: ${fault.message}; retrying in ${formatDuration(delayMs)} (attempt ${attempt + 1}).`
      if (warnedFaults.has(fault.kind)) return core.debug(message)
      warnedFaults.add(fault.kind)
      core.warning(`${message} Further faults of this kind are logged at debug level only.`)
    }
  })

  // The check run's table is drawn only when an update is sent: at most every 30 s.
  const progress = (tasks: readonly TaskRecord[], elapsedMs: number) => (): CheckOutput => {
    const groups = groupTasks(tasks)
    const table: SummaryInput = {
      title: config.checkName,
      state: 'waiting',
      results: taskResults(tasks),
      finishedAfterMs: finishedTimes(tasks),
      elapsedMs
    }
    return {
      title: checkTitle('waiting', groups),
      summary: describeGroups(groups, tasks.length),
      text: renderSummary(table, CHECK_TEXT_BUDGET_BYTES)
    }
  }

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
          ),
        onProgress: checkRun
          ? (tasks, elapsedMs) => void checkRun.update(progress(tasks, elapsedMs))
          : undefined
      }
    })
  } finally {
    core.endGroup()
  }
}

const actionLog = {
  info: (message: string) => core.info(message),
  debug: (message: string) => core.debug(message),
  notice: (message: string) => core.notice(message),
  warning: (message: string) => core.warning(message),
  startGroup: (title: string) => core.startGroup(title),
  endGroup: () => core.endGroup()
}

function describeChange(task: TaskRecord, previous: string | undefined, elapsedMs: number): string {
  const at = `[${formatDuration(elapsedMs)}]`
  if (task.state === 'not-found')
    return `${at} ${task.taskId}: not returned by the service yet; waiting for it`
  const status = task.state === 'unknown' ? ` (status ${task.status})` : ''
  return `${at} ${task.taskId}: ${previous ? `${previous} → ` : ''}${task.state}${status}`
}

function finishedTimes(tasks: readonly TaskRecord[]): Map<string, number> {
  return new Map(
    tasks.flatMap(task =>
      task.finishedAfterMs === undefined ? [] : [[task.taskId, task.finishedAfterMs] as const]
    )
  )
}

function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

async function writeSummary(input: SummaryInput): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set; no job summary written.')
    return
  }
  try {
    await core.summary.addRaw(renderSummary(input)).write()
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
