import type { getOctokit } from '@actions/github'
import type { OverallState, TaskGroups } from '../report/outcome.js'
import { errorMessage } from '../errors.js'

/** Where the check run goes: the repository, the commit being tested, and the API to reach. */
export interface CheckRunTarget {
  owner: string
  repo: string
  headSha: string
  /** REST API base, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string
  /** The workflow run, linked from the check run's "Details". */
  detailsUrl?: string
}

export type CheckConclusion = 'success' | 'failure' | 'timed_out' | 'cancelled' | 'neutral'

/** What the check run shows; `text` (the table) is left out when empty. */
export interface CheckOutput {
  title: string
  summary: string
  text?: string
}

export interface CheckRunLog {
  warning(message: string): void
  debug(message: string): void
}

/** Runs `callback` after `delayMs`; returns a function that cancels it. */
export type Schedule = (callback: () => void, delayMs: number) => () => void

export interface CheckRunOptions {
  token: string
  /** The check's name, as it shows on the pull request (`check-name`). */
  name: string
  target: CheckRunTarget
  /** Monotonic milliseconds, for the update throttle. */
  now(): number
  /** Epoch milliseconds, for `started_at` and `completed_at`. */
  wallClock?: () => number
  schedule?: Schedule
  log: CheckRunLog
  /** What the check run shows until the first update. */
  initialOutput?: CheckOutput
  minUpdateIntervalMs?: number
  requestTimeoutMs?: number
}

/**
 * GitHub refuses `output.summary` and `output.text` over 65535 — counted in bytes, not
 * characters ("summary exceeds a maximum bytesize of 65535", github/docs#35252).
 */
export const CHECK_OUTPUT_LIMIT_BYTES = 65535
export const MIN_UPDATE_INTERVAL_MS = 30_000
const REQUEST_TIMEOUT_MS = 20_000
const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment'
])

/**
 * The commit a check run must be attached to for it to show on what is being tested: on
 * pull-request events GITHUB_SHA is a merge commit (or the base branch's head for
 * `pull_request_target`), so the PR's head SHA comes from the event payload instead.
 * Throws with what is missing when the environment is not a GitHub Actions run.
 */
export function checkRunTarget(
  env: NodeJS.ProcessEnv,
  readEventFile: (path: string) => string
): CheckRunTarget {
  const repository = env.GITHUB_REPOSITORY ?? ''
  const [owner, repo, ...rest] = repository.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error(
      `GITHUB_REPOSITORY must be 'owner/repo' to create a check run; got ${repository ? `'${repository}'` : 'nothing'}. It is set by GitHub Actions on every run.`
    )
  }
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const detailsUrl = env.GITHUB_RUN_ID
    ? `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`
    : undefined
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  const headSha = PULL_REQUEST_EVENTS.has(eventName)
    ? pullRequestHeadSha(eventName, env.GITHUB_EVENT_PATH, readEventFile)
    : env.GITHUB_SHA
  if (!headSha) {
    throw new Error('GITHUB_SHA is not set, so there is no commit to attach the check run to.')
  }
  return { owner, repo, headSha, apiUrl, ...(detailsUrl ? { detailsUrl } : {}) }
}

function pullRequestHeadSha(
  eventName: string,
  eventPath: string | undefined,
  readEventFile: (path: string) => string
): string {
  if (!eventPath) {
    throw new Error(
      `GITHUB_EVENT_PATH is not set; on '${eventName}' events the check run goes on the pull request's head commit, which is read from the event payload.`
    )
  }
  let payload: unknown
  try {
    payload = JSON.parse(readEventFile(eventPath))
  } catch (error) {
    throw new Error(
      `Could not read the event payload at GITHUB_EVENT_PATH (${eventPath}): ${errorMessage(error)}`
    )
  }
  const sha = (payload as { pull_request?: { head?: { sha?: unknown } } } | null)?.pull_request
    ?.head?.sha
  if (typeof sha !== 'string' || !sha) {
    throw new Error(
      `The '${eventName}' event payload at ${eventPath} has no pull_request.head.sha to attach the check run to.`
    )
  }
  return sha
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
  if (Buffer.byteLength(markdown, 'utf8') <= limitBytes) return markdown
  const lines = markdown.split('\n')
  const note = (omitted: number): string =>
    `\n\n… ${omitted} more line${omitted === 1 ? '' : 's'} left out: GitHub limits a check run's text to ${limitBytes} bytes. The job summary and the \`results\` output have every task.`
  // The note's length depends on the count; the largest count bounds it.
  const budget = limitBytes - Buffer.byteLength(note(lines.length), 'utf8')
  const kept: string[] = []
  let used = 0
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8') + (kept.length > 0 ? 1 : 0)
    if (used + size > budget) break
    kept.push(line)
    used += size
  }
  if (kept.length === 0) return cutAtCodePoint(markdown, budget) + note(lines.length)
  return kept.join('\n') + note(lines.length - kept.length)
}

function cutAtCodePoint(text: string, limitBytes: number): string {
  let used = 0
  let end = 0
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8')
    if (used + size > limitBytes) break
    used += size
    end += char.length
  }
  return text.slice(0, end)
}

type Octokit = ReturnType<typeof getOctokit>

/** Why a request failed, sorted by what to do next. */
type Failure =
  | { kind: 'permission'; message: string }
  | { kind: 'rejected'; message: string }
  | { kind: 'transient'; message: string }

/**
 * One check run for the action's lifetime. Never throws and never changes the action's
 * outcome: a missing permission gets one warning and turns the reporter off; other failures
 * are warned about and the next call tries again.
 */
export class CheckRunReporter {
  private id: number | undefined
  private url: string | undefined
  private disabled = false
  private completed = false
  private lastSentAt: number
  private pending: CheckOutput | (() => CheckOutput) | undefined
  private cancelTimer: (() => void) | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private updateFailures = 0
  private completion: Promise<{ url: string } | undefined> | undefined
  private readonly startedAt: string
  private readonly interval: number
  private readonly wallClock: () => number
  private readonly schedule: Schedule

  private constructor(
    private readonly octokit: Octokit | undefined,
    private readonly options: CheckRunOptions
  ) {
    this.interval = options.minUpdateIntervalMs ?? MIN_UPDATE_INTERVAL_MS
    this.wallClock = options.wallClock ?? Date.now
    this.schedule = options.schedule ?? unrefTimeout
    this.lastSentAt = options.now()
    this.startedAt = new Date(this.wallClock()).toISOString()
    if (!octokit) this.disabled = true
  }

  /** Creates the check run `in_progress`. Resolves to a reporter even when that failed. */
  static async start(options: CheckRunOptions): Promise<CheckRunReporter> {
    let octokit: Octokit | undefined
    try {
      // Loaded only with a token: the module and its Octokit cost start-up time on every run.
      const { getOctokit } = await import('@actions/github')
      octokit = getOctokit(options.token, {
        baseUrl: options.target.apiUrl,
        log: {
          debug: options.log.debug,
          info: options.log.debug,
          warn: options.log.warning,
          error: options.log.warning
        }
      })
    } catch (error) {
      options.log.warning(
        `No check run: the GitHub client could not be loaded: ${errorText(error)}`
      )
    }
    const reporter = new CheckRunReporter(octokit, options)
    if (octokit) await reporter.create()
    return reporter
  }

  /** The check run's page, once it exists. */
  get htmlUrl(): string | undefined {
    return this.url
  }

  /**
   * Shows a new state, at most once per interval: changes in between are coalesced and the
   * latest is sent when the interval has passed. Pass a function to render the output only
   * when it is sent. Resolves when any request this call made has finished.
   */
  async update(output: CheckOutput | (() => CheckOutput)): Promise<void> {
    if (this.disabled || this.completed || this.id === undefined) return
    this.pending = output
    if (this.cancelTimer) return
    const wait = this.lastSentAt + this.interval - this.options.now()
    if (wait > 0) {
      this.cancelTimer = this.schedule(() => {
        this.cancelTimer = undefined
        void this.flush()
      }, wait)
      return
    }
    await this.flush()
  }

  /**
   * Completes the check run with its conclusion and final output, after any update in flight.
   * If creating it failed for a passing reason, creates it completed now. Resolves to its URL,
   * or undefined when there is no check run.
   */
  complete(conclusion: CheckConclusion, output: CheckOutput): Promise<{ url: string } | undefined> {
    // A second call (say, from a failure path after the normal one) changes nothing.
    this.completion ??= this.finish(conclusion, output)
    return this.completion
  }

  private async finish(
    conclusion: CheckConclusion,
    output: CheckOutput
  ): Promise<{ url: string } | undefined> {
    this.completed = true
    this.cancelTimer?.()
    this.cancelTimer = undefined
    this.pending = undefined
    await this.queue
    if (this.disabled) return undefined
    const final = {
      status: 'completed' as const,
      conclusion,
      completed_at: new Date(this.wallClock()).toISOString(),
      output: fitOutput(output)
    }
    if (this.id === undefined) {
      this.options.log.debug(
        'Creating the check run now, completed, since it could not be created earlier.'
      )
      await this.create(final)
      return this.url ? { url: this.url } : undefined
    }
    const id = this.id
    const ok = await this.send('complete', () =>
      this.api().checks.update({
        ...this.repoParams(),
        check_run_id: id,
        ...final,
        request: this.requestOptions()
      })
    )
    return ok && this.url ? { url: this.url } : undefined
  }

  private async create(final?: {
    status: 'completed'
    conclusion: CheckConclusion
    completed_at: string
    output: CheckOutput
  }): Promise<boolean> {
    const { target, name } = this.options
    const initial = this.options.initialOutput
    const response = await this.request('create', () =>
      this.api().checks.create({
        ...this.repoParams(),
        name,
        head_sha: target.headSha,
        ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
        started_at: this.startedAt,
        ...(final ?? {
          status: 'in_progress' as const,
          ...(initial ? { output: fitOutput(initial) } : {})
        }),
        request: this.requestOptions()
      })
    )
    if (!response) return false
    this.id = response.data.id
    this.url = response.data.html_url ?? undefined
    this.lastSentAt = this.options.now()
    this.options.log.debug(`Check run ${this.id} created: ${this.url ?? '(no URL)'}`)
    return true
  }

  private flush(): Promise<void> {
    const next = this.queue.then(async () => {
      const output = this.pending
      this.pending = undefined
      if (!output || this.completed || this.disabled || this.id === undefined) return
      const id = this.id
      this.lastSentAt = this.options.now()
      let body: CheckOutput
      try {
        body = fitOutput(typeof output === 'function' ? output() : output)
      } catch (error) {
        this.options.log.warning(`Could not render the check run's progress: ${errorText(error)}`)
        return
      }
      await this.send('update', () =>
        this.api().checks.update({
          ...this.repoParams(),
          check_run_id: id,
          output: body,
          request: this.requestOptions()
        })
      )
    })
    this.queue = next
    return next
  }

  private async send(what: 'update' | 'complete', call: () => Promise<unknown>): Promise<boolean> {
    return (await this.request(what, call)) !== undefined
  }

  /** Runs one API call; on failure, warns as the failure deserves and returns undefined. */
  private async request<T>(
    what: 'create' | 'update' | 'complete',
    call: () => Promise<T>
  ): Promise<T | undefined> {
    try {
      return await call()
    } catch (error) {
      this.onFailure(what, classify(error, this.options.token))
      return undefined
    }
  }

  private onFailure(what: 'create' | 'update' | 'complete', failure: Failure): void {
    const { log, name } = this.options
    const subject = `check run '${name}'`
    if (failure.kind === 'permission') {
      this.disabled = true
      log.warning(
        `Could not ${what} the ${subject}: the 'github-token' may not write checks (${failure.message}). Add \`permissions: checks: write\` to the workflow or the job that runs this step, next to \`contents: read\` (a permissions block drops every permission it does not list), or use a token with the Checks write permission. Pull requests from forks get a read-only GITHUB_TOKEN whatever the workflow asks. The action's outcome is not affected.`
      )
      return
    }
    if (failure.kind === 'rejected') {
      this.disabled = true
      log.warning(
        `Could not ${what} the ${subject}: ${failure.message}. No further check run requests are made; the action's outcome is not affected.`
      )
      return
    }
    if (what === 'update' && this.updateFailures++ > 0) {
      log.debug(`Could not update the ${subject}: ${failure.message}`)
      return
    }
    const next =
      what === 'create'
        ? this.completed
          ? 'no check run is shown for this run'
          : 'it will be created when the action completes'
        : what === 'update'
          ? 'later updates are still tried; further update failures are logged at debug level only'
          : 'the check run is left as it was'
    log.warning(
      `Could not ${what} the ${subject}: ${failure.message}; ${next}. The action's outcome is not affected.`
    )
  }

  private api(): Octokit['rest'] {
    // The constructor turns the reporter off when there is no client; no request is made then.
    return (this.octokit as Octokit).rest
  }

  private repoParams(): { owner: string; repo: string } {
    return { owner: this.options.target.owner, repo: this.options.target.repo }
  }

  private requestOptions(): { signal: AbortSignal } {
    // Octokit has no timeout of its own; a hung API must not hold the step open.
    return { signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS) }
  }
}

function fitOutput(output: CheckOutput): CheckOutput {
  return {
    // The title has no documented limit; a line is all it needs.
    title: cutAtCodePoint(output.title.replace(/\s+/g, ' '), 1000),
    summary: fitCheckOutput(output.summary),
    ...(output.text ? { text: fitCheckOutput(output.text) } : {})
  }
}

/**
 * Sorts an Octokit error: a missing permission, a request GitHub will refuse again (other
 * 4xx), or a passing fault (network, timeout, 5xx, rate limits). Never includes the token.
 */
function classify(error: unknown, token: string): Failure {
  const status =
    typeof (error as { status?: unknown })?.status === 'number'
      ? (error as { status: number }).status
      : undefined
  const data = (error as { response?: { data?: unknown } })?.response?.data
  const apiMessage =
    data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : undefined
  const described = redact(
    status !== undefined && apiMessage !== undefined
      ? `HTTP ${status}: ${apiMessage}`
      : errorText(error),
    token
  )
  const hasResponse = (error as { response?: unknown })?.response !== undefined
  if (!hasResponse || status === undefined || status >= 500 || status === 429) {
    return { kind: 'transient', message: described }
  }
  if (status === 403 && /rate limit/i.test(apiMessage ?? ''))
    return { kind: 'transient', message: described }
  if (status === 403) return { kind: 'permission', message: described }
  return { kind: 'rejected', message: described }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('***') : text
}

function unrefTimeout(callback: () => void, delayMs: number): () => void {
  const timer = setTimeout(callback, delayMs)
  // A pending update must never keep a finished step's process alive.
  timer.unref()
  return () => clearTimeout(timer)
}
