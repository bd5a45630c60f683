/**
 * The step, in order: inputs, the wait, outputs, delivery, the summary, the check run, the
 * step's result. Only I/O and sequencing live here; every decision is made by a pure module.
 */
import { readFileSync } from 'node:fs'
import { type ActionIO, coreActionIO } from './action-io.js'
import type { DeliveryRun } from './assets/deliver.js'
import { findEscapes } from './assets/contained.js'
import { probeDownloadDir } from './assets/probe-dir.js'
import { describeError } from './errors.js'
import { checkRunTarget } from './github/check-target.js'
import { type CheckRun, NULL_CHECK_RUN, startCheckRun } from './github/check-run.js'
import { SECRET_INPUTS } from './inputs/contract.js'
import { type Config, InputError, parseInputs } from './inputs/parse.js'
import { isPrivateHost } from './net/url-policy.js'
import { pollTasks, type PollOutcome, type TaskRecord } from './poll.js'
import { createSource } from './providers/create-source.js'
import type { TaskSource } from './providers/provider.js'
import type { CheckOutput } from './report/check-text.js'
import { checkTitle } from './report/check-text.js'
import { describeRound, describeUnasked, warnOncePerKind } from './report/log-lines.js'
import { describeGroups, groupTasks, overallState } from './report/outcome.js'
import { taskResults } from './report/outputs.js'
import { finishedTimes, publishOutputs, writeSummary } from './report/publish.js'
import { type GuardedIO, guardedIO } from './report/guarded-io.js'
import { Redactor } from './report/redact.js'
import { resultsFilePath } from './report/results-file.js'
import { markdownText } from './report/markdown.js'
import { renderSummary, type SummaryInput, CHECK_TEXT_BUDGET_BYTES } from './report/summary.js'
import { decideVerdict } from './report/verdict.js'
import { processRuntime, type Runtime } from './runtime.js'
import { formatDuration } from './units.js'

/** Limit of one API request; the deadline cuts it shorter near the end. */
const REQUEST_TIMEOUT_MS = 30_000
/** Asking the service again for an expired link, retries included. */
const REFRESH_LIMIT_MS = 2 * 60_000

/**
 * The action: every failure, of any kind, ends in io.setFailed and nothing else. Without
 * arguments, as `@github/local-action` and src/index.ts call it, it runs with the runner's I/O
 * and this process's runtime; tests pass their own.
 */
export async function run(
  rawIo: ActionIO = coreActionIO(),
  runtime: Runtime = processRuntime()
): Promise<void> {
  // Masked before anything else is read or printed.
  const secrets = SECRET_INPUTS.map(name => rawIo.getInput(name).trim()).filter(Boolean)
  secrets.forEach(secret => rawIo.setSecret(secret))
  const redactor = new Redactor(secrets)
  const io = guardedIO(rawIo, redactor)
  let checkRun: CheckRun = NULL_CHECK_RUN
  try {
    const workspace = runtime.env.GITHUB_WORKSPACE || process.cwd()
    const config = parseInputs(name => rawIo.getInput(name), { workspace, env: runtime.env })
    config.notices.forEach(message => io.notice(message))
    config.warnings.forEach(message => io.warning(message))
    if (config.download.length > 0) {
      const escapes = await findEscapes(config.downloadDir, workspace, config.taskIds)
      if (escapes.length > 0) throw new InputError(escapes)
      const problem = await probeDownloadDir(config.downloadDir)
      if (problem) throw new InputError([problem])
    }
    const source = createSource(config.api, {
      clock: runtime.clock,
      log: io,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      onRetry: warnOncePerKind(io)
    })
    checkRun = openCheckRun(config, runtime, io)
    await waitAndReport(config, source, runtime, io, checkRun)
  } catch (error) {
    const message = describeError(error)
    io.setFailed(message)
    // Whatever stops the action, its check run must not stay in progress on the pull request.
    await checkRun.complete('failure', { title: 'The action failed', summary: message })
  }
}

async function waitAndReport(
  config: Config,
  source: TaskSource,
  runtime: Runtime,
  io: GuardedIO,
  checkRun: CheckRun
): Promise<void> {
  const delivery =
    config.download.length > 0 ? await openDelivery(config, source, runtime, io) : undefined
  const resultsFile = resultsFilePath(runtime.env)
  const count = config.taskIds.length
  io.startGroup(
    `Waiting for ${count} Aholo task${count === 1 ? '' : 's'} on ${source.description} (every ${formatDuration(config.pollIntervalMs)}, up to ${formatDuration(config.timeoutMs)})`
  )
  let outcome: PollOutcome
  let written: ReturnType<typeof publishOutputs>
  try {
    outcome = await waitForTasks(config, source, runtime, io, checkRun, delivery)
    const provisional = runtime.signal.aborted ? 'cancelled' : overallState(outcome)
    // Set before the downloads end, so that whatever happens next, later steps have them.
    written = publishOutputs(io, resultsFile, provisional, outcome.tasks, undefined, {
      checkRunUrl: checkRun.url
    })
    // The files of tasks that succeeded during the wait log their lines as they download: the
    // group stays open until they are done, so that none lands after it is closed.
    await delivery?.downloaded()
  } finally {
    io.endGroup()
  }

  const delivered = delivery ? await delivery.finish() : undefined
  const verdict = decideVerdict({
    outcome,
    failOn: config.failOn,
    timeoutMs: config.timeoutMs,
    cancelled: runtime.signal.aborted,
    deliveryError: delivered?.error
  })
  const summary: SummaryInput = {
    title: config.checkName,
    state: verdict.state,
    setupRefused: verdict.setupRefused,
    results: taskResults(outcome.tasks, delivered?.files),
    finishedAfterMs: finishedTimes(outcome.tasks),
    elapsedMs: outcome.elapsedMs,
    note: verdict.note
      ? `${verdict.failing ? '❌ The step failed: ' : ''}${verdict.note}`
      : undefined,
    artifact: delivered?.artifact
      ? { name: config.artifactName, url: delivered.artifact.url }
      : undefined
  }
  await writeSummary(io, renderSummary(summary))

  const groups = groupTasks(outcome.tasks)
  const completed = await checkRun.complete(verdict.conclusion, {
    title: verdict.title,
    summary: verdict.note
      ? markdownText(verdict.note)
      : describeGroups(groups, outcome.tasks.length),
    text: renderSummary(summary, CHECK_TEXT_BUDGET_BYTES)
  })
  // The completing call can take seconds (a slow or hanging API): a cancel that came then
  // still cancels the step, which must not exit 0 with `state: succeeded`.
  const final =
    runtime.signal.aborted && verdict.state !== 'cancelled'
      ? decideVerdict({
          outcome,
          failOn: config.failOn,
          timeoutMs: config.timeoutMs,
          cancelled: true,
          cancelledWhile: 'the check run was being completed',
          deliveryError: delivered?.error
        })
      : verdict
  if (final !== verdict) await writeSummary(io, `\n**🚫 ${final.note}**\n`)
  // Again only if something changed them, or the check run was created only at the end.
  publishOutputs(
    io,
    resultsFile,
    final.state,
    outcome.tasks,
    delivered,
    { checkRunUrl: completed?.url ?? checkRun.url },
    written
  )

  if (final.failing) io.setFailed(final.note ?? 'The step failed.')
  else if (final.note) io.warning(final.note)
}

async function openDelivery(
  config: Config,
  source: TaskSource,
  runtime: Runtime,
  io: ActionIO
): Promise<DeliveryRun> {
  const unsupported = config.download.filter(format => !source.formats.includes(format))
  if (unsupported.length > 0 && !config.downloadAll) {
    io.notice(
      `${unsupported.map(f => f.toUpperCase()).join(', ')} cannot be downloaded from ${source.description}: it does not deliver that format.`
    )
  }
  // Downloading, verifying and uploading stay out of the start path of runs that need none.
  const { startDelivery } = await import('./assets/deliver.js')
  const { downloadsDeadline } = await import('./assets/download.js')
  return startDelivery(
    {
      formats: config.download.filter(format => source.formats.includes(format)),
      noticeMissing: !config.downloadAll,
      downloadDir: config.downloadDir,
      api: source.api,
      cache: config.cache,
      budgets: {
        maxGaussians: config.maxGaussians,
        maxTriangles: config.maxTriangles,
        maxFileSizeBytes: config.maxFileSizeBytes
      },
      refresh: async taskId => {
        const deadline = runtime.clock.now() + REFRESH_LIMIT_MS
        const task = await source.refresh(taskId, { signal: runtime.signal, deadline })
        return task?.assets
      },
      download: {
        deadline: downloadsDeadline(runtime.clock.now(), config.timeoutMs),
        connections: config.downloadConnections,
        allowPrivateHosts: config.api.apiUrl ? isPrivateHost(config.api.apiUrl.hostname) : false
      },
      upload: config.uploadArtifact
        ? {
            name: config.artifactName,
            retentionDays: config.retentionDays,
            compressionLevel: config.compressionLevel
          }
        : undefined
    },
    { clock: runtime.clock, signal: runtime.signal, env: runtime.env, log: io }
  )
}

async function waitForTasks(
  config: Config,
  source: TaskSource,
  runtime: Runtime,
  io: ActionIO,
  checkRun: CheckRun,
  delivery: DeliveryRun | undefined
): Promise<PollOutcome> {
  return pollTasks({
    taskIds: config.taskIds,
    pollIntervalMs: config.pollIntervalMs,
    timeoutMs: config.timeoutMs,
    source,
    clock: runtime.clock,
    signal: runtime.signal,
    events: {
      onRound: (changes, tasks, elapsedMs) => {
        describeRound(changes, elapsedMs).forEach(line => io.info(line))
        // Drawn only when an update is sent: at most every 30 s.
        checkRun.update(() => progressOutput(config, tasks, elapsedMs))
      },
      onUnknownStatus: (taskId, status) =>
        io.warning(
          `Task ${taskId} has status ${JSON.stringify(status)}, which this action does not know; it is treated as unfinished and polling goes on. Other tasks with this status are not reported again.`
        ),
      onUnasked: ids => io.warning(describeUnasked(ids, config.taskIds)),
      onFinal: task => {
        if (task.state === 'succeeded') delivery?.add(task)
      }
    }
  })
}

function progressOutput(
  config: Config,
  tasks: readonly TaskRecord[],
  elapsedMs: number
): CheckOutput {
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

/** With a token, the check run that shows the outcome on the commit; without one, nothing. */
function openCheckRun(config: Config, runtime: Runtime, io: GuardedIO): CheckRun {
  if (!config.githubToken) return NULL_CHECK_RUN
  let target
  try {
    target = checkRunTarget(runtime.env, readEventFile)
  } catch (error) {
    io.warning(`No check run is made: ${describeError(error)}`)
    return NULL_CHECK_RUN
  }
  const count = config.taskIds.length
  return startCheckRun({
    token: config.githubToken,
    name: config.checkName,
    target,
    clock: runtime.clock,
    signal: runtime.signal,
    log: io,
    redactor: io.redactor,
    initialOutput: {
      title: `Waiting for ${count} task${count === 1 ? '' : 's'}`,
      summary: `Polling the Aholo API every ${formatDuration(config.pollIntervalMs)} for up to ${formatDuration(config.timeoutMs)}.`
    }
  })
}

function readEventFile(file: string): string {
  return readFileSync(file, 'utf8')
}
