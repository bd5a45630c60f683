/**
 * The check run that shows the action's progress and outcome on the commit. It has budgets of
 * its own and never holds the step: creating starts in the background, progress updates are
 * never awaited, and completing is bounded (much more tightly once the run is cancelled).
 * Nothing here throws or changes the action's outcome.
 */
import { CancelledError, errorMessage } from '../errors.js'
import type { RetryPolicy } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { formatDuration } from '../units.js'
import { type CheckConclusion, type CheckOutput, fitOutput } from '../report/check-text.js'
import type { Redactor } from '../report/redact.js'
import { completionBudget, limitedCall, settleWithin } from './budget.js'
import type { CheckRunTarget } from './check-target.js'
import { type ChecksApi, type NewCheckRun, octokitChecksApi } from './checks-api.js'
import { type CheckRunCall, failureNotice } from './failure-notice.js'
import { Throttle } from './throttle.js'

export interface CheckRun {
  /** The check run's page once created. */
  readonly url: string | undefined
  /** Shows progress: latest wins, sent at most every 30 s; never awaited by the waiting loop. */
  update(render: () => CheckOutput): void
  /** Completes it (or creates it completed if creating failed earlier); never throws. */
  complete(conclusion: CheckConclusion, output: CheckOutput): Promise<{ url: string } | undefined>
}

/** What stands for the check run when there is none (no token): every call does nothing. */
export const NULL_CHECK_RUN: CheckRun = Object.freeze({
  url: undefined,
  update: () => undefined,
  complete: () => Promise.resolve(undefined)
})

export interface CheckRunBudgets {
  /** One request, from sending it to the end of the answer. */
  callMs: number
  /** All of `complete()`, the wait for work in flight included. */
  completeMs: number
  /** All of `complete()` once the run is cancelled: the runner kills the step soon after. */
  cancelMs: number
  /** Between two progress updates. */
  updateIntervalMs: number
}

export const CHECK_RUN_BUDGETS: CheckRunBudgets = {
  callMs: 10_000,
  completeMs: 10_000,
  cancelMs: 1_000,
  updateIntervalMs: 30_000
}

/** Short backoff: the budgets bound the total anyway, and a check run is not worth a long wait. */
const CHECK_RUN_RETRY: RetryPolicy = { floorMs: 1000, ceilingMs: 4000, maxRetryAfterMs: 4000 }
/** Tries per call, the first included. A failed update is not retried: the next one replaces it. */
const ATTEMPTS = { create: 3, update: 1, complete: 3 } as const

export interface CheckRunOptions {
  /** Without one, there is no check run: NULL_CHECK_RUN. */
  token: string | undefined
  /** The check's name, as it shows on the pull request (`check-name`). */
  name: string
  target: CheckRunTarget
  /** What the check run shows until the first update. */
  initialOutput: CheckOutput
  /** Backoff sleeps, the update throttle and the timestamps. */
  clock: Clock
  /** The run's cancellation: abandons requests in flight and shortens `complete()`. */
  signal: AbortSignal
  log: Pick<Log, 'warning' | 'debug'>
  /** Takes every known secret out of what the check run shows (GitHub masks nothing there). */
  redactor: Redactor
  /** The checks endpoints; Octokit at `target.apiUrl` when absent. */
  api?: ChecksApi
  budgets?: Partial<CheckRunBudgets>
}

/** Starts creating the check run in the background and returns at once. */
export function startCheckRun(options: CheckRunOptions): CheckRun {
  if (!options.token) return NULL_CHECK_RUN
  return new LiveCheckRun({ ...options, token: options.token })
}

type Completion = Promise<{ url: string } | undefined>

type Lifecycle =
  | { kind: 'creating'; created: Promise<Settled> }
  /** Creating failed for a passing reason: it is created, completed, at the end. */
  | { kind: 'uncreated' }
  | { kind: 'open'; id: number; url: string | undefined }
  | { kind: 'completing'; url: string | undefined; result: Completion }
  | { kind: 'done'; url: string | undefined; completed: boolean }
  /** GitHub refused for good (or there is no client): no further request is made. */
  | { kind: 'off'; reason: string }

type Settled = Extract<Lifecycle, { kind: 'uncreated' | 'open' | 'off' }>

class LiveCheckRun implements CheckRun {
  private state: Lifecycle
  /** Aborts requests made in the background: on the run's cancel, or when completing. */
  private readonly lifetime = new AbortController()
  private readonly throttle: Throttle<() => CheckOutput>
  private readonly budgets: CheckRunBudgets
  private readonly api: ChecksApi
  private readonly startedAt: string
  private updateFailures = 0
  private readonly onCancel = (): void =>
    this.lifetime.abort(new CancelledError('the run was cancelled'))

  constructor(private readonly options: CheckRunOptions & { token: string }) {
    this.budgets = { ...CHECK_RUN_BUDGETS, ...options.budgets }
    this.api =
      options.api ??
      octokitChecksApi({
        token: options.token,
        target: options.target,
        log: options.log,
        wallClock: options.clock.wallClock
      })
    this.startedAt = new Date(options.clock.wallClock()).toISOString()
    if (options.signal.aborted) this.onCancel()
    else options.signal.addEventListener('abort', this.onCancel, { once: true })
    this.throttle = new Throttle({
      clock: options.clock,
      intervalMs: this.budgets.updateIntervalMs,
      send: render => this.sendUpdate(render)
    })
    this.state = { kind: 'creating', created: this.create() }
  }

  get url(): string | undefined {
    const state = this.state
    return state.kind === 'open' || state.kind === 'completing' || state.kind === 'done'
      ? state.url
      : undefined
  }

  update(render: () => CheckOutput): void {
    if (this.lifetime.signal.aborted) return
    if (this.state.kind === 'creating' || this.state.kind === 'open') this.throttle.offer(render)
  }

  complete(conclusion: CheckConclusion, output: CheckOutput): Completion {
    const state = this.state
    switch (state.kind) {
      case 'completing':
        // A second call (say, from a failure path after the normal one) changes nothing.
        return state.result
      case 'done':
        return Promise.resolve(state.completed && state.url ? { url: state.url } : undefined)
      case 'off':
        return Promise.resolve(undefined)
    }
    const result = this.finish(state, conclusion, output)
    this.state = { kind: 'completing', url: state.kind === 'open' ? state.url : undefined, result }
    return result
  }

  private newRun(): Omit<NewCheckRun, 'status'> {
    const { name, target } = this.options
    return {
      name,
      headSha: target.headSha,
      ...(target.detailsUrl ? { detailsUrl: target.detailsUrl } : {}),
      startedAt: this.startedAt
    }
  }

  private async create(): Promise<Settled> {
    let next: Settled
    try {
      const output = this.present(this.options.initialOutput)
      const run = await this.call(ATTEMPTS.create, this.lifetime.signal, signal =>
        this.api.create({ ...this.newRun(), status: 'in_progress', output }, signal)
      )
      this.throttle.sentNow()
      next = { kind: 'open', id: run.id, url: run.url }
    } catch (error) {
      this.failed('create', error)
      next = this.state.kind === 'off' ? this.state : { kind: 'uncreated' }
    }
    if (this.state.kind === 'creating') this.state = next
    return next
  }

  private async sendUpdate(render: () => CheckOutput): Promise<void> {
    if (this.state.kind === 'creating') await this.state.created
    const state = this.state
    if (state.kind !== 'open') return
    let output: CheckOutput
    try {
      output = this.present(render())
    } catch (error) {
      this.options.log.warning(`Could not render the check run's progress: ${errorMessage(error)}`)
      return
    }
    try {
      await this.call(ATTEMPTS.update, this.lifetime.signal, signal =>
        this.api.update(state.id, { output }, signal)
      )
    } catch (error) {
      this.failed('update', error)
    }
  }

  private async finish(
    before: Extract<Lifecycle, { kind: 'creating' | 'uncreated' | 'open' }>,
    conclusion: CheckConclusion,
    output: CheckOutput
  ): Completion {
    const { completeMs, cancelMs } = this.budgets
    const budget = completionBudget(this.options.signal, completeMs, cancelMs)
    let url = before.kind === 'open' ? before.url : undefined
    let completed = false
    try {
      const inFlight = Promise.all([
        this.throttle.stop(),
        before.kind === 'creating' ? before.created : undefined
      ])
      // Work in flight gets half the budget, so that the completion keeps the other half.
      await settleWithin(inFlight, budget.remaining() / 2, budget.signal)
      this.lifetime.abort(new CancelledError('superseded by the completion'))
      await settleWithin(inFlight, budget.remaining(), budget.signal)
      const settled = before.kind === 'creating' ? await settledOrUncreated(before.created) : before
      if (this.state.kind === 'off' || settled.kind === 'off') return undefined
      try {
        const final = {
          status: 'completed' as const,
          conclusion,
          completedAt: new Date(this.options.clock.wallClock()).toISOString(),
          output: this.present(output)
        }
        if (settled.kind === 'open') {
          url = settled.url
          const sent = await this.call(ATTEMPTS.complete, budget.signal, signal =>
            this.api.update(settled.id, final, signal)
          )
          url = sent.url ?? url
        } else {
          this.options.log.debug(
            'Creating the check run now, completed, since it could not be created earlier.'
          )
          const run = await this.call(ATTEMPTS.complete, budget.signal, signal =>
            this.api.create({ ...this.newRun(), ...final }, signal)
          )
          url = run.url
        }
        completed = true
      } catch (error) {
        this.failed(settled.kind === 'open' ? 'complete' : 'create', error, true)
      }
      return completed && url ? { url } : undefined
    } finally {
      budget.release()
      this.lifetime.abort(new CancelledError('the check run is complete'))
      this.options.signal.removeEventListener('abort', this.onCancel)
      if (this.state.kind !== 'off') this.state = { kind: 'done', url, completed }
    }
  }

  /** What GitHub is sent: no secret, within its limits. */
  private present(output: CheckOutput): CheckOutput {
    const { redactor } = this.options
    return fitOutput({
      title: redactor.text(output.title),
      summary: redactor.text(output.summary),
      ...(output.text ? { text: redactor.text(output.text) } : {})
    })
  }

  private call<T>(
    attempts: number,
    signal: AbortSignal,
    send: (signal: AbortSignal) => Promise<T>
  ): Promise<T> {
    return limitedCall(send, {
      clock: this.options.clock,
      signal,
      callMs: this.budgets.callMs,
      policy: { ...CHECK_RUN_RETRY, maxAttempts: attempts },
      onRetry: (fault, next, delayMs) =>
        this.options.log.debug(
          `A check run request failed (${fault.message.replace(/\.$/, '')}); try ${next} in ${formatDuration(delayMs)}.`
        )
    })
  }

  /** Logs a failure as it deserves, and turns the check run off when GitHub refused for good. */
  private failed(what: CheckRunCall, error: unknown, atEnd = false): void {
    const notice = failureNotice(what, error, {
      name: this.options.name,
      atEnd,
      abandoned: this.lifetime.signal.aborted,
      earlierUpdateFailures: what === 'update' ? this.updateFailures++ : 0
    })
    if (notice.refused) this.turnOff(notice.refused)
    this.options.log[notice.level](notice.message)
  }

  private turnOff(reason: string): void {
    if (this.state.kind === 'done') return
    this.state = { kind: 'off', reason }
    void this.throttle.stop()
    this.lifetime.abort(new CancelledError(`the check run is off (${reason})`))
  }
}

/** The creation's outcome if it has settled by now; else it counts as not created. */
function settledOrUncreated(created: Promise<Settled>): Promise<Settled> {
  return Promise.race([created, Promise.resolve({ kind: 'uncreated' } as const)])
}
