/** What the runner gives a step that uploads artifacts, for a local results service. */
export interface RunIds {
  workflowRunBackendId: string
  workflowJobRunBackendId: string
}

export const DEFAULT_RUN_IDS: RunIds = {
  workflowRunBackendId: 'c7a5d2f0-1b7e-4d6a-9a55-7c3f0e2b9a11',
  workflowJobRunBackendId: '5e0f9b3c-2a41-5d8e-b3c6-0d9e7f1a2b44'
}

/**
 * An ACTIONS_RUNTIME_TOKEN the toolkit accepts: it decodes the JWT without checking the
 * signature and takes the run and job ids from the `Actions.Results:<run>:<job>` scope.
 */
export function runtimeToken(run: RunIds = DEFAULT_RUN_IDS): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = part({ alg: 'HS256', typ: 'JWT' })
  const claims = part({
    scp: `Actions.ExampleScope Actions.Results:${run.workflowRunBackendId}:${run.workflowJobRunBackendId}`
  })
  return `${header}.${claims}.not-a-real-signature`
}

/** The variables the runner gives a step that uploads artifacts, pointed at this service. */
export function runnerEnv(
  service: { url: string },
  run: RunIds = DEFAULT_RUN_IDS
): Record<string, string> {
  return {
    ACTIONS_RUNTIME_TOKEN: runtimeToken(run),
    ACTIONS_RESULTS_URL: `${service.url}/`,
    // The toolkit refuses GHES hosts, so the server must look like github.com.
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/splat-pipeline',
    GITHUB_RUN_ID: '9876543210'
  }
}
