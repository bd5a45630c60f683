/**
 * Wraps the runner's port so that what the step shows stays safe and within GitHub's limits.
 * Every text a server or a user may have shaped passes here on its way out:
 * - no known secret reaches the log, the summary or the step's error, in any form the Redactor
 *   knows (the runner masks secrets in the log only, and only as they were given);
 * - no line of the log can be read by the runner as a workflow command: line breaks inside a
 *   message are shown escaped, and a message that starts like a command is defused;
 * - no log line grows past what a log viewer and a pipe take.
 * Outputs are redacted where they are built (report/publish.ts), value by value, so that JSON
 * outputs stay JSON.
 */
import type { ActionIO } from '../action-io.js'
import type { InputName } from '../inputs/contract.js'
import { byteLength, cutWithNote } from './byte-budget.js'
import type { Redactor } from './redact.js'

/**
 * Of a 64 KiB line: the runner writes workflow commands on one line, escaping line breaks as
 * `%0A`, so a message may grow by half again on the way.
 */
export const LOG_MESSAGE_CAP_BYTES = 40 * 1024

/** The guarded port, with the redaction that the sinks outside it (outputs, the check run) use. */
export interface GuardedIO<N extends string = InputName> extends ActionIO<N> {
  readonly redactor: Redactor
}

export function guardedIO<N extends string = InputName>(
  io: ActionIO<N>,
  redactor: Redactor
): GuardedIO<N> {
  const clean = (text: string): string => capMessage(redactor.text(text))
  return {
    redactor,
    getInput: name => io.getInput(name),
    setSecret: value => io.setSecret(value),
    setOutput: (name, value) => io.setOutput(name, value),
    // Written as it is, one line of the log: the one place a server's line break would start a
    // line of its own.
    info: message => io.info(logLine(clean(message))),
    // The toolkit writes these as workflow commands, escaping CR and LF in the message itself,
    // but not the Unicode line and paragraph separators, which some readers split at too.
    debug: message => io.debug(commandText(clean(message))),
    notice: message => io.notice(commandText(clean(message))),
    warning: message => io.warning(commandText(clean(message))),
    error: message => io.error(commandText(clean(message))),
    setFailed: message => io.setFailed(commandText(clean(message))),
    startGroup: title => io.startGroup(logLine(clean(title))),
    endGroup: () => io.endGroup(),
    writeSummary: markdown => io.writeSummary(redactor.text(markdown))
  }
}

const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g
const SHOWN_BREAKS: Record<string, string> = {
  '\r\n': '\\r\\n',
  '\r': '\\r',
  '\n': '\\n',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029'
}

/**
 * One line of the log, whatever the text holds: line breaks shown as `\n`, `\r`, `\u2028`; a
 * start that the runner would read as a workflow command (`::name::`, or the older `##[name]`,
 * after leading white space, which the runner skips) defused by a zero-width space before it.
 */
export function logLine(text: string): string {
  const flat = text.replace(LINE_BREAKS, brk => SHOWN_BREAKS[brk])
  return /^\s*(::|##\[)/.test(flat) ? `\u200b${flat}` : flat
}

/** The message of a workflow command: U+2028 and U+2029 shown as escapes. */
function commandText(text: string): string {
  return text.replace(/[\u2028\u2029]/g, brk => SHOWN_BREAKS[brk])
}

export function capMessage(message: string): string {
  if (byteLength(message) <= LOG_MESSAGE_CAP_BYTES) return message
  // Room for the note within the cap.
  return cutWithNote(message, LOG_MESSAGE_CAP_BYTES - 100)
}
