/**
 * Where a check run goes, read from the runner's environment and the event payload. Pure: the
 * caller hands in the environment and a way to read the event file.
 */
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
