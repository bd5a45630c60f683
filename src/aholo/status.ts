export type TaskState =
  | 'queued'
  | 'waiting'
  | 'running'
  | 'preprocessing'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timed-out'
  | 'rejected'
  | 'unknown'
  /** Not returned by the API (yet). */
  | 'not-found'

interface StatusInfo {
  state: TaskState
  final: boolean
}

const STATUSES: ReadonlyMap<number, StatusInfo> = new Map([
  [0, { state: 'queued', final: false }],
  [1, { state: 'waiting', final: false }],
  [2, { state: 'running', final: false }],
  [8, { state: 'preprocessing', final: false }],
  [3, { state: 'succeeded', final: true }],
  [4, { state: 'failed', final: true }],
  [5, { state: 'cancelled', final: true }],
  [6, { state: 'timed-out', final: true }],
  [7, { state: 'rejected', final: true }]
])

/** Maps the service's status code; codes it may add later are `unknown` and not final. */
export function describeStatus(status: number): StatusInfo {
  return STATUSES.get(status) ?? { state: 'unknown', final: false }
}

const FINAL_STATES: ReadonlySet<string> = new Set(
  [...STATUSES.values()].filter(info => info.final).map(info => info.state)
)

/** Whether a state name (as in outputs) is one the service never leaves. */
export function isFinalState(state: string): boolean {
  return FINAL_STATES.has(state)
}

export function isKnownStatus(status: number): boolean {
  return STATUSES.has(status)
}
