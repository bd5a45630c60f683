/**
 * Starting Lux3D tasks (DESIGN.md §2c, §2d): the task id comes back in `d`, read exactly (an
 * int64 may pass 2^53). The list carries no names, so a made task cannot be recognised: a POST
 * whose fate is unknown is never sent again, and the step fails saying a task may exist. Over
 * the account's concurrency quota (GENERATION_CONCURRENCY_LIMIT_EXCEEDED, or HTTP 429) nothing
 * is made and nothing is charged: wait until one of the account's tasks in progress finishes,
 * then create.
 */
import { isRecord } from '../../domain/json.js'
import { ActionError } from '../../errors.js'
import { NetworkError } from '../../net/http.js'
import { DeadlineError, withRetries } from '../../net/retry.js'
import { formatDuration } from '../../units.js'
import { askGateway, exchange, GATEWAY_ORIGINS, gatewayBase } from '../gateway-request.js'
import { LUX3D_PREFIXES } from './client.js'
import type { RawAnswer } from '../world/envelope.js'
import type { CreateCall, WorldCreatorOptions } from '../world/create.js'
import { interpretList, isInProgressStatus } from './envelope.js'
import { exactId, parseWithExactIds } from './exact-ids.js'

export const CONCURRENCY_CODE = 'GENERATION_CONCURRENCY_LIMIT_EXCEEDED'
/** How often the account's tasks are listed while over the quota (the spec polls 10-15 s). */
export const QUOTA_POLL_MS = 15_000
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

export type Lux3dCreatorOptions = WorldCreatorOptions

/** The gateway refused the request; `c` and `m` as it said them. */
export class Lux3dRequestError extends ActionError {}

/** A creation whose answer was lost: the task may exist, and is not asked for again. */
export class Lux3dUnknownFateError extends ActionError {}

type Created = { kind: 'created'; taskId: string } | { kind: 'quota'; said: string }

export class Lux3dCreator {
  readonly base: string

  constructor(private readonly options: Lux3dCreatorOptions) {
    const { apiUrl, region } = options
    this.base = gatewayBase(GATEWAY_ORIGINS[region], LUX3D_PREFIXES[region], apiUrl)
  }

  /** The new task's id, as an exact decimal string. */
  async create(
    path: string,
    body: Record<string, unknown>,
    what: string,
    call: CreateCall
  ): Promise<string> {
    for (;;) {
      const created = await withRetries(async () => {
        let answer: RawAnswer
        try {
          answer = await exchange(
            this.options,
            {
              method: 'POST',
              url: `${this.base}${path}`,
              body,
              headers: { 'x-source': this.options.xSource }
            },
            call.deadline,
            call.signal
          )
        } catch (error) {
          if (error instanceof NetworkError && !NOT_SENT.has(error.code)) {
            throw unknownFate(
              what,
              `the connection failed after the request was sent (${error.message})`
            )
          }
          throw error
        }
        return interpretCreated(answer, what)
      }, this.retryContext(call))
      if (created.kind === 'created') return created.taskId
      try {
        await this.waitForSlot(created.said, call)
      } catch (error) {
        if (!(error instanceof DeadlineError)) throw error
        throw new ActionError(
          `${what}: the account stayed at its limit of Lux3D tasks in progress until 'timeout' ran out; nothing was created`,
          "Raise 'timeout', or run the job when fewer of the account's tasks are in progress (Free accounts run 1 at a time, Pro 2)."
        )
      }
    }
  }

  /** Until one of the account's tasks in progress now has finished (or none is listed). */
  private async waitForSlot(said: string, call: CreateCall): Promise<void> {
    const before = await this.inProgress(call)
    this.options.log.info(
      `Lux3D: the account is at its limit of tasks in progress (${said}); ${before.size} in progress${before.size > 0 ? ` (${[...before].slice(0, 5).join(', ')})` : ''}. Creating once one of them finishes, listing every ${formatDuration(QUOTA_POLL_MS)}.`
    )
    for (;;) {
      const left = call.deadline - this.options.clock.now()
      await this.options.clock.sleep(Math.max(0, Math.min(QUOTA_POLL_MS, left)), call.signal)
      if (before.size === 0) return
      const now = await this.inProgress(call)
      if ([...before].some(id => !now.has(id))) return
    }
  }

  /**
   * Ids of the account's tasks in progress (status 0 or 1), from the newest 100, read as the
   * wait action reads the list (envelope.ts).
   */
  private inProgress(call: CreateCall): Promise<Set<string>> {
    const url = `${this.base}/generate/task/list?page=1&pagesize=100`
    return askGateway(
      { method: 'GET', url },
      this.options,
      call,
      call.signal,
      answer =>
        new Set(
          interpretList(answer, this.options.region)
            .tasks.filter(task => isInProgressStatus(task.status))
            .map(task => task.taskId)
        )
    )
  }

  private retryContext(call: CreateCall) {
    return {
      clock: this.options.clock,
      signal: call.signal,
      deadline: call.deadline,
      onRetry: this.options.onRetry
    }
  }
}

function unknownFate(what: string, why: string): Lux3dUnknownFateError {
  return new Lux3dUnknownFateError(
    `${what}: ${why}, so a Lux3D task may have been created`,
    "It is not asked for again, as Lux3D's list of tasks carries no names to recognise it by: look at the account's tasks on Aholo Labs before running the job again."
  )
}

/** A creation's answer: the task id, the quota, or a thrown error. Pure. */
export function interpretCreated(answer: RawAnswer, what: string): Created {
  const body = parseBody(answer.body)
  const c = isRecord(body) ? String(body.c ?? '') : ''
  const m = isRecord(body) && typeof body.m === 'string' ? body.m : ''
  const said = `HTTP ${answer.status}${c ? `, c ${JSON.stringify(c)}` : ''}${m ? `, m ${JSON.stringify(m.slice(0, 300))}` : ''}`
  if (answer.status === 429 || c.includes(CONCURRENCY_CODE) || m.includes(CONCURRENCY_CODE)) {
    return { kind: 'quota', said }
  }
  if (answer.status >= 500 || answer.status === 408) {
    throw unknownFate(what, `the gateway answered ${said}`)
  }
  if (answer.status === 401) {
    throw new Lux3dRequestError(
      `The Aholo gateway refused the API key: ${said}`,
      "Check 'api-key', and that 'region' matches the site the key comes from."
    )
  }
  if (answer.status >= 200 && answer.status < 300) {
    if (body === undefined) throw unknownFate(what, `the answer was not JSON (${said})`)
    const taskId = c === '0' && isRecord(body) ? exactId(body.d) : undefined
    if (taskId !== undefined) return { kind: 'created', taskId }
    if (c === '0') throw unknownFate(what, `the answer carried no task id in d (${said})`)
  }
  throw new Lux3dRequestError(`The Aholo gateway refused ${what}: ${said}`)
}

function parseBody(text: string): unknown {
  try {
    return parseWithExactIds(text.replace(/^\uFEFF/, ''), ['d', 'taskId'])
  } catch {
    return undefined
  }
}
