/** A slow blob store in front of Azurite, for the results service's `blobDelayMs` fault. */
import * as http from 'node:http'

/**
 * Holds a blob request `delayMs` (or until the function added to `held` is called), then
 * passes it on to Azurite on `port` and its answer back. A client that gives up is not passed on.
 */
export function holdThenForward(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  options: { port: number; delayMs: number; held: Set<() => void> }
): void {
  const { port, held } = options
  const forward = (): void => {
    held.delete(forward)
    clearTimeout(timer)
    if (request.destroyed) return
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: `127.0.0.1:${port}` }
      },
      answer => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    upstream.on('error', () => response.destroy())
    request.pipe(upstream)
  }
  const timer = setTimeout(forward, options.delayMs)
  held.add(forward)
  request.once('close', () => {
    clearTimeout(timer)
    held.delete(forward)
  })
}
