/**
 * The open platform's batch endpoint as a TaskSource: signed POSTs of up to 50 ids, each retried
 * under the one retry policy until the deadline.
 */
import { linksOfUrls, SPLAT_FORMATS } from '../../domain/formats.js'
import { exchange } from '../../net/exchange.js'
import { type Fault, withRetries } from '../../net/retry.js'
import { redactUrl } from '../../net/url-policy.js'
import type { Clock, Log } from '../../runtime.js'
import type { PollCall, TaskSnapshot, TaskSource } from '../provider.js'
import { interpretResponse, type OpenPlatformTask } from './envelope.js'
import { type Credentials, sign } from './sign.js'
import { stateOfStatus } from './status.js'

export const TASK_LIST_PATH = '/v2/aholo/project/task/list/by-ids'
/** Ids per request: the endpoint takes 50. */
export const BATCH_SIZE = 50

export interface OpenPlatformOptions {
  /** Origin, or origin and path of a mirror; the endpoint's path follows it. */
  apiUrl: URL
  credentials: Credentials
  clock: Clock
  log: Pick<Log, 'debug'>
  /** Limit of one request, within the deadline. */
  requestTimeoutMs: number
  /** Before each wait caused by a fault. */
  onRetry?: (fault: Fault, nextAttempt: number, delayMs: number) => void
  batchSize?: number
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024

export class OpenPlatformSource implements TaskSource {
  readonly api = 'open-platform'
  readonly formats = SPLAT_FORMATS
  readonly description: string
  private readonly endpoint: URL

  constructor(private readonly options: OpenPlatformOptions) {
    this.endpoint = new URL(options.apiUrl.href.replace(/\/+$/, '') + TASK_LIST_PATH)
    this.description = `the Kujiale open platform at ${redactUrl(options.apiUrl).replace(/\/$/, '')}`
  }

  async poll(ids: readonly string[], call: PollCall): Promise<TaskSnapshot[]> {
    const size = this.options.batchSize ?? BATCH_SIZE
    const snapshots: TaskSnapshot[] = []
    for (let offset = 0; offset < ids.length; offset += size) {
      const tasks = await this.listTasks(ids.slice(offset, offset + size), call)
      snapshots.push(...tasks.map(toSnapshot))
    }
    return snapshots
  }

  /** The batch endpoint keeps no state between calls: a batch of one is the task alone. */
  async refresh(taskId: string, call: PollCall): Promise<TaskSnapshot | undefined> {
    const tasks = await this.listTasks([taskId], call)
    return tasks.map(toSnapshot).find(task => task.taskId === taskId)
  }

  /** One batch, retried until it succeeds, an answer no retry can fix, or the deadline. */
  listTasks(ids: readonly string[], call: PollCall): Promise<OpenPlatformTask[]> {
    return withRetries(() => this.attemptOnce(ids, call), {
      clock: this.options.clock,
      signal: call.signal,
      deadline: call.deadline,
      onRetry: this.options.onRetry
    })
  }

  private async attemptOnce(ids: readonly string[], call: PollCall): Promise<OpenPlatformTask[]> {
    const { credentials, clock, requestTimeoutMs, log } = this.options
    // A fresh timestamp and sign for every try: a retried request must not be refused as stale.
    const timestamp = clock.wallClock()
    const url = new URL(this.endpoint)
    url.searchParams.set('appuid', credentials.appUid)
    url.searchParams.set('appkey', credentials.appKey)
    url.searchParams.set('timestamp', String(timestamp))
    url.searchParams.set('sign', sign(credentials, timestamp))

    log.debug(`Open platform batch of ${ids.length} id(s)`)
    const answer = await exchange(
      {
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(ids),
        timeoutMs: requestTimeoutMs
      },
      { clock, log, deadline: call.deadline, signal: call.signal, maxBytes: MAX_RESPONSE_BYTES }
    )
    return interpretResponse(answer.status, answer.body, answer.retryAfterMs)
  }
}

function toSnapshot(task: OpenPlatformTask): TaskSnapshot {
  return {
    taskId: task.taskId,
    status: task.status,
    state: stateOfStatus(task.status),
    assets: linksOfUrls(task.result ?? {})
  }
}
