/**
 * One GET per task, side by side, where each task's answer counts by itself (World and Lux3D
 * alike): a task whose answers keep failing (5xx, no answer, not JSON, not a task) is tried a few
 * times and then left out of the round, so it keeps its last known state, and its fault is
 * named once, while the others go on to their final states and downloads. Only when no task
 * answered does the round fail, with the last fault, for the retry helper to try again until the
 * deadline. Any other error (a refused key, a cancel, the deadline) ends the round at once.
 */
import { API_RETRY, Fault, type RetryPolicy, withRetries } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { mapBounded } from './bounded.js'
import type { PollCall } from './provider.js'

/** Tries of one task's GET in a round before it is left for the next round. */
export const GET_ATTEMPTS = 3

export interface GetEachOptions {
  clock: Clock
  log: Pick<Log, 'warning'>
  concurrency: number
  onRetry?: (fault: Fault, nextAttempt: number, delayMs: number) => void
  /** What the warning calls one task: `World W1`, `Lux3D task 17`. */
  label: (id: string) => string
  /** An answer that is not a task: a fault of this task, not of the round. */
  isMalformed: (error: unknown) => error is Error
}

export class TaskGetter<T> {
  /** Tasks whose failing answers were named; named again only after one answers. */
  private readonly reported = new Set<string>()

  constructor(private readonly options: GetEachOptions) {}

  /** The tasks that answered (undefined answers, such as a 404, are left out). */
  async getEach(
    ids: readonly string[],
    call: PollCall,
    get: (id: string, signal: AbortSignal, policy: RetryPolicy) => Promise<T | undefined>
  ): Promise<T[]> {
    const { clock, onRetry } = this.options
    const once = async (): Promise<T[]> => {
      const answers = await mapBounded(ids, this.options.concurrency, call.signal, (id, signal) =>
        this.getOrFault(id, signal, get)
      )
      const faults = answers.filter((answer): answer is Fault => answer instanceof Fault)
      if (ids.length > 0 && faults.length === ids.length) throw faults[faults.length - 1]
      const tasks: T[] = []
      for (const [index, answer] of answers.entries()) {
        if (answer instanceof Fault) this.report(ids[index], answer)
        else {
          this.reported.delete(ids[index])
          if (answer !== undefined) tasks.push(answer)
        }
      }
      return tasks
    }
    return withRetries(once, { clock, signal: call.signal, deadline: call.deadline, onRetry })
  }

  private async getOrFault(
    id: string,
    signal: AbortSignal,
    get: (id: string, signal: AbortSignal, policy: RetryPolicy) => Promise<T | undefined>
  ): Promise<T | Fault | undefined> {
    try {
      return await get(id, signal, { ...API_RETRY, maxAttempts: GET_ATTEMPTS })
    } catch (error) {
      if (error instanceof Fault) return error
      if (this.options.isMalformed(error)) return new Fault(error.message, 'malformed answer')
      throw error
    }
  }

  private report(id: string, fault: Fault): void {
    if (this.reported.has(id)) return
    this.reported.add(id)
    this.options.log.warning(
      `${this.options.label(id)}: the answers for it keep failing (${fault.message.replace(/\.$/, '')}); ` +
        'it keeps its last known state while the others go on, and is asked again each round.'
    )
  }
}
