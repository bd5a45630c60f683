/** Builds the TaskSource that the credentials picked (inputs/credentials.ts). */
import type { ApiChoice } from '../inputs/credentials.js'
import type { Fault } from '../net/retry.js'
import type { Clock, Log } from '../runtime.js'
import { OpenPlatformSource } from './open-platform/client.js'
import { Lux3dSource } from './lux3d/client.js'
import type { TaskSource } from './provider.js'
import { WorldSource } from './world/client.js'

export interface SourceDeps {
  clock: Clock
  log: Log
  /** Limit of one request, within the deadline. */
  requestTimeoutMs: number
  onRetry(fault: Fault, nextAttempt: number, delayMs: number): void
}

export function createSource(api: ApiChoice, deps: SourceDeps): TaskSource {
  const { clock, log, requestTimeoutMs, onRetry } = deps
  if (api.kind === 'open-platform') {
    return new OpenPlatformSource({
      apiUrl: api.apiUrl,
      credentials: api.credentials,
      clock,
      log,
      requestTimeoutMs,
      onRetry
    })
  }
  const Source = api.kind === 'lux3d' ? Lux3dSource : WorldSource
  return new Source({
    apiKey: api.apiKey,
    region: api.region,
    apiUrl: api.apiUrl,
    clock,
    log,
    requestTimeoutMs,
    onRetry
  })
}
