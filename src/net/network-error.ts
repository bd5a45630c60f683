import { Fault } from './retry.js'

/** A failure to exchange bytes with the server: worth another try. */
export class NetworkError extends Fault {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message, `network ${code}`)
    this.name = 'NetworkError'
  }
}
