import { CancelledError } from './errors.js'
import { defaultRunDeps, run } from './main.js'

// The runner cancels a job with SIGINT, then SIGTERM 7.5 s later: the first one stops the
// wait so that outputs and the summary are still written; a second one ends the process.
const cancellation = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (cancellation.signal.aborted) process.exit(130)
    cancellation.abort(new CancelledError(`Cancelled: received ${signal}`))
  })
}

await run(defaultRunDeps(cancellation.signal))
// Keep-alive sockets and timers must not hold a cancelled or finished step open.
process.exit()
