/**
 * The two calls a check run needs, as a port, with Octokit behind it. The adapter sorts every
 * failure by what to do next: a missing permission, a request GitHub will refuse again, or a
 * `Fault` that may pass (network, timeout, 5xx, 429, a rate-limit 403). Messages never carry
 * the token.
 */
import type { getOctokit } from '@actions/github'
import { ActionError, cancellationOf, errorMessage } from '../errors.js'
import { Fault, parseRetryAfter } from '../net/retry.js'
import { type Log, untilAborted } from '../runtime.js'
import type { CheckConclusion, CheckOutput } from '../report/check-text.js'
import type { CheckRunTarget } from './check-target.js'

export interface CheckRunFields {
  status?: 'in_progress' | 'completed'
  conclusion?: CheckConclusion
  /** ISO 8601. */
  completedAt?: string
  output?: CheckOutput
}

export interface NewCheckRun extends CheckRunFields {
  name: string
  headSha: string
  detailsUrl?: string
  /** ISO 8601. */
  startedAt: string
}

/** The check-runs endpoints of one repository. Each call settles as soon as `signal` aborts. */
export interface ChecksApi {
  create(params: NewCheckRun, signal: AbortSignal): Promise<{ id: number; url?: string }>
  update(id: number, params: CheckRunFields, signal: AbortSignal): Promise<{ url?: string }>
}

/** GitHub refused for want of a permission (403 that is not a rate limit): asking again won't help. */
export class ChecksPermissionError extends ActionError {}

/** GitHub refused the request itself (other 4xx), or there is no client to send it with. */
export class ChecksRejectedError extends ActionError {}

export interface OctokitChecksOptions {
  token: string
  target: Pick<CheckRunTarget, 'owner' | 'repo' | 'apiUrl'>
  log: Pick<Log, 'debug' | 'warning'>
  /** Unix milliseconds, to read `Retry-After` dates and `x-ratelimit-reset`. */
  wallClock?: () => number
}

type Rest = ReturnType<typeof getOctokit>['rest']

/** The port over Octokit; the module is loaded on the first call, so a run without one pays nothing. */
export function octokitChecksApi(options: OctokitChecksOptions): ChecksApi {
  const { token, target, log } = options
  const wallClock = options.wallClock ?? Date.now
  let client: Promise<Rest> | undefined
  const rest = (): Promise<Rest> => (client ??= loadOctokit(options))
  const repo = { owner: target.owner, repo: target.repo }

  async function call<T>(signal: AbortSignal, send: (api: Rest) => Promise<T>): Promise<T> {
    try {
      return await untilAborted(
        rest().then(api => send(api)),
        signal
      )
    } catch (error) {
      throw classifyChecksError(error, { token, signal, now: wallClock() })
    }
  }

  return {
    async create(params, signal) {
      const { data } = await call(signal, api =>
        api.checks.create({
          ...repo,
          name: params.name,
          head_sha: params.headSha,
          ...(params.detailsUrl ? { details_url: params.detailsUrl } : {}),
          started_at: params.startedAt,
          ...fields(params),
          request: { signal }
        })
      )
      log.debug(`Check run ${data.id} created: ${data.html_url ?? '(no URL)'}`)
      return { id: data.id, ...(data.html_url ? { url: data.html_url } : {}) }
    },
    async update(id, params, signal) {
      const { data } = await call(signal, api =>
        api.checks.update({ ...repo, check_run_id: id, ...fields(params), request: { signal } })
      )
      return data.html_url ? { url: data.html_url } : {}
    }
  }
}

function fields(params: CheckRunFields): Record<string, unknown> {
  return {
    ...(params.status ? { status: params.status } : {}),
    ...(params.conclusion ? { conclusion: params.conclusion } : {}),
    ...(params.completedAt ? { completed_at: params.completedAt } : {}),
    ...(params.output ? { output: params.output } : {})
  }
}

async function loadOctokit(options: OctokitChecksOptions): Promise<Rest> {
  try {
    // Loaded only with a token: the module and its Octokit cost start-up time on every run.
    const { getOctokit } = await import('@actions/github')
    return getOctokit(options.token, {
      baseUrl: options.target.apiUrl,
      log: {
        debug: options.log.debug,
        info: options.log.debug,
        warn: options.log.warning,
        error: options.log.warning
      }
    }).rest
  } catch (error) {
    throw new ChecksRejectedError(
      `the GitHub client could not be loaded: ${errorMessage(error) || 'unknown error'}`
    )
  }
}

interface OctokitLikeError {
  status?: unknown
  response?: { data?: unknown; headers?: Record<string, unknown> }
}

/**
 * What an Octokit failure means for the check run: the signal's reason when it aborted (a
 * timeout or the cancel), a `Fault` for what may pass, else a refusal by kind.
 */
export function classifyChecksError(
  error: unknown,
  context: { token: string; signal: AbortSignal; now: number }
): Error {
  if (context.signal.aborted) return cancellationOf(context.signal)
  if (error instanceof ChecksRejectedError || error instanceof ChecksPermissionError) return error
  const { status, response } = (error ?? {}) as OctokitLikeError
  const data = response?.data
  const apiMessage =
    data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : undefined
  const described = redact(
    typeof status === 'number' && apiMessage !== undefined
      ? `HTTP ${status}: ${apiMessage}`
      : errorMessage(error) || 'unknown error',
    context.token
  )
  if (!response || typeof status !== 'number') return new Fault(described, 'network')
  const header = (name: string): string | undefined => {
    const value = response.headers?.[name]
    return typeof value === 'string' ? value : undefined
  }
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (/rate limit/i.test(apiMessage ?? '') || header('x-ratelimit-remaining') === '0'))
  if (rateLimited) {
    return new Fault(described, 'rate limit', retryAfter(header, context.now))
  }
  if (status >= 500) return new Fault(described, `HTTP ${status}`, retryAfter(header, context.now))
  if (status === 403) return new ChecksPermissionError(described)
  return new ChecksRejectedError(described)
}

function retryAfter(header: (name: string) => string | undefined, now: number): number | undefined {
  const asked = parseRetryAfter(header('retry-after'), now)
  if (asked !== undefined) return asked
  // A primary rate limit says when it resets (epoch seconds) instead.
  const reset = Number(header('x-ratelimit-reset'))
  return header('x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0
    ? Math.max(0, reset * 1000 - now)
    : undefined
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('***') : text
}
