/** A clock that only moves when the code under test sleeps, so waits cost no real time. */
export class FakeTime {
  current = 0
  readonly sleeps: number[] = []

  now = (): number => this.current

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason
    this.sleeps.push(ms)
    this.current += ms
    // Let the real event loop turn, so servers and signals get their chance.
    await new Promise(resolve => setImmediate(resolve))
    if (signal?.aborted) throw signal.reason
  }
}
