/**
 * "Latest wins, at most once per interval": values offered in between are coalesced, and only
 * the newest is sent once the interval since the last send has passed. Knows nothing of GitHub.
 */
import type { Clock } from '../runtime.js'

export interface ThrottleOptions<T> {
  clock: Pick<Clock, 'now' | 'setTimer'>
  intervalMs: number
  /** Sends one value; the next waits for it to settle. Its rejections are ignored. */
  send(value: T): Promise<void>
}

type State<T> =
  /** Nothing to send. */
  | { kind: 'idle' }
  /** A value waits for the interval to pass. */
  | { kind: 'waiting'; value: T; cancel: () => void }
  /** A send is in flight; `next`, when offered meanwhile, goes after it. */
  | { kind: 'sending'; done: Promise<void>; next?: { value: T } }
  | { kind: 'stopped' }

export class Throttle<T> {
  private state: State<T> = { kind: 'idle' }
  private lastSentAt: number

  constructor(private readonly options: ThrottleOptions<T>) {
    // Starting counts as a send: whatever starts the throttle has just shown something.
    this.lastSentAt = options.clock.now()
  }

  /** Sends `value` now if the interval has passed, else when it has; replaces any value waiting. */
  offer(value: T): void {
    const state = this.state
    switch (state.kind) {
      case 'stopped':
        return
      case 'sending':
        state.next = { value }
        return
      case 'waiting':
        this.state = { ...state, value }
        return
      case 'idle':
        this.schedule(value)
    }
  }

  /** Counts a send made elsewhere (say, the one that created what is updated): the next waits. */
  sentNow(): void {
    this.lastSentAt = this.options.clock.now()
  }

  /**
   * Drops the value waiting, if any, and sends nothing more. Resolves when the send in flight,
   * if any, has settled.
   */
  stop(): Promise<void> {
    const state = this.state
    this.state = { kind: 'stopped' }
    if (state.kind === 'waiting') state.cancel()
    return state.kind === 'sending' ? state.done : Promise.resolve()
  }

  private schedule(value: T): void {
    const wait = this.lastSentAt + this.options.intervalMs - this.options.clock.now()
    if (wait <= 0) {
      this.sendNow(value)
      return
    }
    const cancel = this.options.clock.setTimer(() => {
      if (this.state.kind === 'waiting') this.sendNow(this.state.value)
    }, wait)
    this.state = { kind: 'waiting', value, cancel }
  }

  private sendNow(value: T): void {
    this.lastSentAt = this.options.clock.now()
    // A send that throws at once is settled like one that rejects.
    const sent = new Promise<void>(resolve => resolve(this.options.send(value)))
    const done = sent.then(
      () => this.afterSend(),
      () => this.afterSend()
    )
    this.state = { kind: 'sending', done }
  }

  private afterSend(): void {
    const state = this.state
    if (state.kind !== 'sending') return
    this.state = { kind: 'idle' }
    if (state.next) this.schedule(state.next.value)
  }
}
