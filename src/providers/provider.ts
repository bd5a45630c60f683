/**
 * The seam each vendor API plugs into: a TaskSource answers "where are these tasks now?" in
 * the action's own terms, whatever its wire format, signing or paging. The waiting loop
 * (poll.ts) knows nothing else of the API.
 */
import type { AssetFormat, AssetLink } from '../domain/formats.js'
import type { TaskState } from '../domain/task-state.js'

export type ApiKind = 'open-platform' | 'world' | 'lux3d'

/** What the World gateway says of a world beyond its state; absent on the open platform. */
export interface TaskDetails {
  /** 0.0-1.0 as the service gives it. */
  progress?: number
  name?: string
  /** An image URL. */
  cover?: string
  lodMetaPath?: string
  panoUrl?: string
  upAxis?: string
}

/** One task as the service described it in one answer. */
export interface TaskSnapshot {
  taskId: string
  /** The service's own word: an integer on the open platform, a string on World. */
  status: number | string
  state: TaskState
  /** Every file the task delivers, in the service's order (empty until it succeeds). */
  assets: AssetLink[]
  details?: TaskDetails
}

export interface PollCall {
  signal: AbortSignal
  /** On the runtime clock's `now()`: the call ends by then, retries included. */
  deadline: number
}

export interface TaskSource {
  readonly api: ApiKind
  /** For logs: which API, where, e.g. "the Aholo World gateway (region cn) at https://…". */
  readonly description: string
  /** The formats this API can deliver; a chosen format outside them gets a notice, not an error. */
  readonly formats: readonly AssetFormat[]
  /**
   * The service's word on these unfinished ids. An id missing from the answer is not known to
   * the service (yet). Ids it answers for that were not asked for are returned too, so that the
   * loop can say so. Throws an ActionError for an answer that waiting cannot fix, a
   * DeadlineError when the deadline came first, or the signal's reason when cancelled.
   */
  poll(ids: readonly string[], call: PollCall): Promise<TaskSnapshot[]>
  /**
   * One task asked for again on its own, for fresh URLs when a signed link has expired (the
   * services sign theirs; Lux3D's last 2 hours). Undefined when the service does not answer for
   * it. Throws as `poll` does. Safe beside a `poll` in flight: it changes no plan.
   */
  refresh(taskId: string, call: PollCall): Promise<TaskSnapshot | undefined>
}
