/**
 * Wraps the runner's port so that no known secret reaches the log, an output, the summary or
 * the step's error, whatever text a server sent back. The runner masks secrets in the log
 * itself, but not in output files, the summary or check runs.
 */
import type { ActionIO } from '../action-io.js'
import { redactSecrets } from './redact.js'

export function redactingIO(io: ActionIO, secrets: readonly string[]): ActionIO {
  const clean = (text: string): string => redactSecrets(text, secrets)
  return {
    getInput: name => io.getInput(name),
    setSecret: value => io.setSecret(value),
    setOutput: (name, value) => io.setOutput(name, clean(value)),
    debug: message => io.debug(clean(message)),
    info: message => io.info(clean(message)),
    notice: message => io.notice(clean(message)),
    warning: message => io.warning(clean(message)),
    error: message => io.error(clean(message)),
    setFailed: message => io.setFailed(clean(message)),
    startGroup: title => io.startGroup(clean(title)),
    endGroup: () => io.endGroup(),
    writeSummary: markdown => io.writeSummary(clean(markdown))
  }
}
