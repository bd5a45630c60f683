/**
 * Wraps the runner's port so that what the step shows stays safe and within GitHub's limits:
 * no known secret reaches the log, an output, the summary or the step's error, whatever text a
 * server sent back (the runner masks secrets in the log, not in output files, the summary or
 * check runs); and no log line grows past what a log viewer and a pipe take.
 */
import type { ActionIO } from '../action-io.js'
import { byteLength, cutWithNote } from './byte-budget.js'
import { redactSecrets } from './redact.js'

/**
 * Of a 64 KiB line: the runner writes workflow commands on one line, escaping line breaks as
 * `%0A`, so a message may grow by half again on the way.
 */
export const LOG_MESSAGE_CAP_BYTES = 40 * 1024

export function guardedIO(io: ActionIO, secrets: readonly string[]): ActionIO {
  const clean = (text: string): string => redactSecrets(text, secrets)
  const line = (text: string): string => capMessage(clean(text))
  return {
    getInput: name => io.getInput(name),
    setSecret: value => io.setSecret(value),
    setOutput: (name, value) => io.setOutput(name, clean(value)),
    debug: message => io.debug(line(message)),
    info: message => io.info(line(message)),
    notice: message => io.notice(line(message)),
    warning: message => io.warning(line(message)),
    error: message => io.error(line(message)),
    setFailed: message => io.setFailed(line(message)),
    startGroup: title => io.startGroup(line(title)),
    endGroup: () => io.endGroup(),
    writeSummary: markdown => io.writeSummary(clean(markdown))
  }
}

export function capMessage(message: string): string {
  if (byteLength(message) <= LOG_MESSAGE_CAP_BYTES) return message
  // Room for the note within the cap.
  return cutWithNote(message, LOG_MESSAGE_CAP_BYTES - 100)
}
