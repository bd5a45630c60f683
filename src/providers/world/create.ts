/**
 * Starting World jobs (DESIGN.md §2d) without paying twice: each job's name carries a tag of
 * its digest, and the account's worlds are searched for it before a job is made, and again
 * after a POST whose fate is unknown (a timeout, a dropped connection, a 5xx), before it is
 * sent again. 429 is retried under the one retry policy, honouring Retry-After.
 */
import { ActionError } from '../../errors.js'
import { NetworkError } from '../../net/http.js'
import { withRetries } from '../../net/retry.js'
import type { Log } from '../../runtime.js'
import { askGateway, exchange } from '../gateway-request.js'
import { worldBaseUrl, type WorldOptions } from './client.js'
import {
  interpretCreated,
  interpretList,
  isInProgressStatus,
  type World,
  WorldAccessError,
  type WorldPage
} from './envelope.js'

/** The account's newest worlds searched for a tag: 20 pages of 100. */
export const MAX_TAG_PAGES = 20
const TAG_PAGE_SIZE = 100

/** Errors that mean the request never left this machine: sending it again is safe. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

export type WorldCreatorOptions = Pick<
  WorldOptions,
  'apiKey' | 'region' | 'apiUrl' | 'clock' | 'requestTimeoutMs' | 'onRetry'
> & {
  log: Pick<Log, 'debug' | 'info' | 'warning'>
  /** `x-source`: the action and its version. */
  xSource: string
}

export interface CreateCall {
  signal: AbortSignal
  /** On the clock's `now()`: no try starts, and no wait lasts, past it. */
  deadline: number
}

/** A world worth waiting for: in progress or succeeded. */
export function isReusable(status: string): boolean {
  return isInProgressStatus(status) || status === 'SUCCEEDED'
}

export class WorldCreator {
  readonly base: string

  constructor(private readonly options: WorldCreatorOptions) {
    this.base = worldBaseUrl(options.region, options.apiUrl)
  }

  /**
   * The account's worlds whose names end in one of `tags`, by tag: a reusable one when there
   * is one, else the newest. Reads pages until every tag has a reusable world, the list ends,
   * or MAX_TAG_PAGES pages were read.
   */
  async findTagged(
    tags: ReadonlySet<string>,
    tagOf: (name: string | undefined) => string | undefined,
    call: CreateCall
  ): Promise<Map<string, World>> {
    const found = new Map<string, World>()
    for (let pageNum = 0; pageNum < MAX_TAG_PAGES; pageNum++) {
      const page = await this.listPage(pageNum, call)
      for (const world of page.worlds) {
        const tag = tagOf(world.name)
        if (!tag || !tags.has(tag)) continue
        const known = found.get(tag)
        if (!known || (!isReusable(known.status) && isReusable(world.status))) found.set(tag, world)
      }
      const settled = [...tags].every(tag => isReusable(found.get(tag)?.status ?? ''))
      if (settled || !page.hasMore) break
    }
    return found
  }

  /** One page of the account's worlds, newest first; a refusal to list stops the step. */
  private async listPage(pageNum: number, call: CreateCall): Promise<WorldPage> {
    try {
      return await askGateway(
        { method: 'POST', url: `${this.base}/list`, body: { pageNum, pageSize: TAG_PAGE_SIZE } },
        this.options,
        call,
        call.signal,
        answer => interpretList(answer, this.options.region)
      )
    } catch (error) {
      if (!(error instanceof WorldAccessError)) throw error
      // Without the list, a job made by an earlier run cannot be found: making it could pay twice.
      throw new ActionError(
        `The gateway refuses to list the account's worlds (${error.message}), so the action cannot tell whether a job was made before; nothing was created`,
        "Use an API key that may list the account's worlds (the Aholo World list endpoint)."
      )
    }
  }

  /**
   * POSTs `body` to `path` and returns the new world's id. After an attempt whose fate is
   * unknown, the tag is looked for first: a world found with it is the one that attempt made.
   */
  async create(
    path: string,
    body: Record<string, unknown>,
    job: { what: string; tag: string; tagOf: (name: string | undefined) => string | undefined },
    call: CreateCall
  ): Promise<{ worldId: string; recovered: boolean }> {
    let unsure = false
    return withRetries(async () => {
      if (unsure) {
        const world = (await this.findTagged(new Set([job.tag]), job.tagOf, call)).get(job.tag)
        if (world && isReusable(world.status)) {
          this.options.log.info(
            `${job.what}: the last request's answer was lost, but world ${world.worldId} carries its tag [aholo:${job.tag}]; it is that request's world, and is not made again.`
          )
          return { worldId: world.worldId, recovered: true }
        }
        unsure = false
      }
      try {
        const answer = await exchange(
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
        // A gateway's 5xx or 408 may come after the service made the world.
        unsure = answer.status >= 500 || answer.status === 408
        return {
          worldId: interpretCreated(answer, job.what, this.options.region),
          recovered: false
        }
      } catch (error) {
        if (error instanceof NetworkError && !NOT_SENT.has(error.code)) unsure = true
        throw error
      }
    }, this.retryContext(call))
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
