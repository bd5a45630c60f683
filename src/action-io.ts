/**
 * The step's one port to the runner: inputs, secrets, outputs, the log, the job summary and
 * the step's result. The only module that imports @actions/core, so that the rest can be run
 * in-process by tests with a recording ActionIO.
 */
import * as core from '@actions/core'
import type { InputName } from './inputs/contract.js'
import type { Log } from './runtime.js'

/** `N`: the input names of the action it serves (each action has its own contract). */
export interface ActionIO<N extends string = InputName> extends Log {
  /** '' for an input that is not set. */
  getInput(name: N): string
  /** Masks the value in everything the runner shows from now on. */
  setSecret(value: string): void
  setOutput(name: string, value: string): void
  error(message: string): void
  /** Marks the step failed (exit code 1) and logs the message as an error. */
  setFailed(message: string): void
  /** Appends to the job summary; false when the runner gives no summary file. */
  writeSummary(markdown: string): Promise<boolean>
}

export function coreActionIO<N extends string = InputName>(
  env: NodeJS.ProcessEnv = process.env
): ActionIO<N> {
  return {
    getInput: name => core.getInput(name),
    setSecret: value => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    debug: message => core.debug(message),
    info: message => core.info(message),
    notice: message => core.notice(message),
    warning: message => core.warning(message),
    error: message => core.error(message),
    setFailed: message => core.setFailed(message),
    startGroup: title => core.startGroup(title),
    endGroup: () => core.endGroup(),
    async writeSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return false
      await core.summary.addRaw(markdown).write()
      return true
    }
  }
}
