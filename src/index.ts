import { run } from './main.js'

// The runner's I/O and this process's runtime (its clock, and SIGINT/SIGTERM as the cancel).
await run()
// A pipe takes only what its buffer holds; the rest waits in the stream. Exit once it is out.
await Promise.all([drain(process.stdout), drain(process.stderr)])
// Keep-alive sockets and timers must not hold a cancelled or finished step open.
process.exit()

function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise(resolve => {
    if (stream.writableLength === 0) return resolve()
    stream.write('', () => resolve())
  })
}
