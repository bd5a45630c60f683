/**
 * What both actions' entries do around their step: run it with this process's runtime (the real
 * clock, and the runner's SIGINT/SIGTERM as the one cancellation), let the log drain, and exit.
 */
import { processRuntime, type Runtime } from './runtime.js'

export async function runEntry(step: (runtime: Runtime) => Promise<void>): Promise<void> {
  await step(processRuntime())
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
