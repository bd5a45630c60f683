import type { ActionIO } from '../../src/action-io.js'
import type { InputName } from '../../src/inputs/contract.js'

export interface LogEntry {
  level: 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'failed' | 'group' | 'endgroup'
  message: string
}

/** An ActionIO that records everything the step does, as the runner would show it. */
export class RecordingIO<N extends string = InputName> implements ActionIO<N> {
  readonly log: LogEntry[] = []
  readonly outputs: Record<string, string> = {}
  /** How many times each output was set. */
  readonly outputWrites: Record<string, number> = {}
  readonly secrets: string[] = []
  summaries: string[] = []
  failed: string | undefined

  constructor(
    private readonly inputs: Partial<Record<N, string>>,
    private readonly hasSummaryFile = true
  ) {}

  getInput = (name: N): string => this.inputs[name] ?? ''
  setSecret = (value: string): void => void this.secrets.push(value)
  setOutput = (name: string, value: string): void => {
    this.outputs[name] = value
    this.outputWrites[name] = (this.outputWrites[name] ?? 0) + 1
  }
  debug = (message: string): void => this.push('debug', message)
  info = (message: string): void => this.push('info', message)
  notice = (message: string): void => this.push('notice', message)
  warning = (message: string): void => this.push('warning', message)
  error = (message: string): void => this.push('error', message)
  setFailed = (message: string): void => {
    this.failed = message
    this.push('failed', message)
  }
  startGroup = (title: string): void => this.push('group', title)
  endGroup = (): void => this.push('endgroup', '')
  writeSummary = async (markdown: string): Promise<boolean> => {
    if (!this.hasSummaryFile) return false
    this.summaries.push(markdown)
    return true
  }

  lines(level: LogEntry['level']): string[] {
    return this.log.filter(entry => entry.level === level).map(entry => entry.message)
  }

  /** Everything a person could read: log, outputs, summary. */
  visibleText(): string {
    return [
      ...this.log.map(entry => entry.message),
      ...Object.values(this.outputs),
      ...this.summaries
    ].join('\n')
  }

  private push(level: LogEntry['level'], message: string): void {
    this.log.push({ level, message })
  }
}
