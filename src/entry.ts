/**
 * What both actions' entries do around their step: wire the runner's signals to the one
 * cancellation, run the step with the real clock, let the log drain, and exit.
 */
import { CancelledError } from './errors.js'
import { realClock, type Runtime } from './runtime.js'

export async function runEntry(step: (runtime: Runtime) => Promise<void>): Promise<void> {
  // The runner cancels a job with SIGINT, then SIGTERM 7.5 s later: the first one stops the
  // work so that outputs and the summary are still written; a second one ends the process.
  const cancellation = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (cancellation.signal.aborted) process.exit(130)
      cancellation.abort(new CancelledError(`Cancelled: received ${signal}`))
    })
  }

  await step({ clock: realClock, signal: cancellation.signal, env: process.env })
  // A pipe takes only what its buffer holds; the rest waits in the stream. Exit once it is out.
  await Promise.all([drain(process.stdout), drain(process.stderr)])
  // Keep-alive sockets and timers must not hold a cancelled or finished step open.
  process.exit()
}

function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise(resolve => {
    if (stream.writableLength === 0) return resolve()
    stream.write('', () => resolve())
  })
}
