import type { Clock } from '../../src/runtime.js'

/** A clock that only moves when the code under test sleeps, so waits cost no real time. */
export class FakeTime implements Clock {
  current = 0
  readonly sleeps: number[] = []
  /** Wall-clock origin: real time at creation, moved by the fake waits. */
  private readonly wallOrigin = Date.now()
  private timers: Array<{ at: number; callback: () => void }> = []

  now = (): number => this.current

  wallClock = (): number => this.wallOrigin + this.current

  random = (): number => 0.5

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason
    this.sleeps.push(ms)
    this.current += ms
    this.fireTimers()
    // Let the real event loop turn, so servers and signals get their chance.
    await new Promise(resolve => setImmediate(resolve))
    if (signal?.aborted) throw signal.reason
  }

  setTimer = (callback: () => void, ms: number): (() => void) => {
    const timer = { at: this.current + ms, callback }
    this.timers.push(timer)
    return () => {
      this.timers = this.timers.filter(t => t !== timer)
    }
  }

  private fireTimers(): void {
    const due = this.timers.filter(t => t.at <= this.current)
    this.timers = this.timers.filter(t => t.at > this.current)
    due.forEach(t => t.callback())
  }
}
