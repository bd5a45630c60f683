/**
 * The step's outputs: every value, built from what is known, and kept under GitHub's limit of
 * 1 MB of outputs per job (counted as UTF-16) at any number of tasks. Pure.
 */
import type { AssetFile } from '../assets/types.js'
import { type AssetFormat, type AssetLink, splatUrls } from '../domain/formats.js'
import type { TaskState } from '../domain/task-state.js'
import type { TaskRecord } from '../poll.js'
import type { TaskDetails } from '../providers/provider.js'
import { buildMatrix } from './matrix.js'
import { groupTasks, type OverallState } from './outcome.js'
import type { Redactor } from './redact.js'

/** Every output of action.yml, by name: the single list that the code, action.yml and README share. */
export const OUTPUT_NAMES = [
  'state',
  'results',
  'results-file',
  'succeeded',
  'failed',
  'pending',
  'ply-url',
  'spz-url',
  'sog-url',
  'glb-url',
  'ply-urls',
  'spz-urls',
  'sog-urls',
  'glb-urls',
  'matrix',
  'download-dir',
  'artifact-id',
  'artifact-url',
  'artifact-digest',
  'check-run-url'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Record<OutputName, string>

/** One task as `results` and `results-file` show it. */
export interface TaskResult extends TaskDetails {
  taskId: string
  /** The service's own word: an integer on the open platform, a string on World. */
  status: number | string | null
  state: TaskState
  plyPath: string | null
  spzPath: string | null
  sogPath: string | null
  /** Every file the task delivers, in the service's order, whatever the API. */
  assets: AssetLink[]
  files: AssetFile[]
}

export function taskResults(
  tasks: readonly TaskRecord[],
  files: ReadonlyMap<string, readonly AssetFile[]> = new Map()
): TaskResult[] {
  return tasks.map(task => {
    const urls = splatUrls(task.assets)
    return {
      taskId: task.taskId,
      status: task.status ?? null,
      state: task.state,
      plyPath: urls.plyPath ?? null,
      spzPath: urls.spzPath ?? null,
      sogPath: urls.sogPath ?? null,
      assets: task.assets,
      ...definedOnly(task.details ?? {}),
      files: [...(files.get(task.taskId) ?? [])]
    }
  })
}

export interface OutputExtras {
  resultsFile: string
  downloadDir?: string
  artifact?: { id: number | string; url: string; digest: string }
  checkRunUrl?: string
}

/**
 * Every output's full value; the ones without a value are empty strings, so none is missing.
 * Redacted value by value, before JSON is made: a secret never lands in JSON syntax.
 */
export function buildOutputs(
  state: OverallState,
  tasks: readonly TaskRecord[],
  taskResults: readonly TaskResult[],
  redactor: Redactor,
  extras: OutputExtras
): Outputs {
  const results = redactor.value(taskResults)
  const groups = redactor.value(groupTasks(tasks))
  const succeeded = results.filter(result => result.state === 'succeeded')
  // One URL per task: its first of the format, as `plyPath` and the like have always been.
  const firstUrl = (result: TaskResult | undefined, format: AssetFormat): string | undefined =>
    result?.assets.find(asset => asset.format === format)?.url
  const urls = (format: AssetFormat): string[] =>
    succeeded.flatMap(result => firstUrl(result, format) ?? [])
  const first = results[0]
  return {
    state,
    results: JSON.stringify(results),
    'results-file': redactor.text(extras.resultsFile),
    succeeded: JSON.stringify(groups.succeeded),
    failed: JSON.stringify(groups.failed),
    pending: JSON.stringify(groups.pending),
    'ply-url': firstUrl(first, 'ply') ?? '',
    'spz-url': firstUrl(first, 'spz') ?? '',
    'sog-url': firstUrl(first, 'sog') ?? '',
    'glb-url': firstUrl(first, 'glb') ?? '',
    'ply-urls': JSON.stringify(urls('ply')),
    'spz-urls': JSON.stringify(urls('spz')),
    'sog-urls': JSON.stringify(urls('sog')),
    'glb-urls': JSON.stringify(urls('glb')),
    matrix: buildMatrix(results),
    'download-dir': redactor.text(extras.downloadDir ?? ''),
    'artifact-id': extras.artifact ? String(extras.artifact.id) : '',
    'artifact-url': redactor.text(extras.artifact?.url ?? ''),
    'artifact-digest': extras.artifact?.digest ?? '',
    'check-run-url': redactor.text(extras.checkRunUrl ?? '')
  }
}

/** Half of GitHub's 1 MB per job, so that other steps' outputs fit beside ours. */
export const OUTPUTS_BUDGET_BYTES = 512 * 1024
/**
 * Caps in UTF-16 bytes, which add up to less than the budget whatever the values are (444 KiB);
 * the matrix takes what the others leave, at least 60 KiB.
 */
const RESULTS_CAP_BYTES = 176 * 1024
const LIST_CAP_BYTES = 32 * 1024
const SCALAR_CAP_BYTES = 4 * 1024

const LISTS = [
  'succeeded',
  'failed',
  'pending',
  'ply-urls',
  'spz-urls',
  'sog-urls',
  'glb-urls'
] as const

/** GitHub counts outputs as UTF-16: two bytes a code unit. */
export function utf16Bytes(text: string): number {
  return text.length * 2
}

/**
 * Shortens what does not fit, so that all outputs stay under OUTPUTS_BUDGET_BYTES and every
 * JSON output still parses. `results` first loses its URLs and details (each task keeps
 * taskId, status and state, so loops over it still work), then its tail; lists lose their
 * tail; `matrix` keeps the whole entries that fit in what the others leave. Returns the outputs
 * to set, and a phrase for each shortened one but `matrix` (see matrixShortfall).
 */
export function fitOutputs(outputs: Outputs): { outputs: Outputs; shortened: string[] } {
  const fitted = { ...outputs }
  const shortened: string[] = []
  if (utf16Bytes(outputs.results) > RESULTS_CAP_BYTES) {
    const results = JSON.parse(outputs.results) as TaskResult[]
    const compact = results.map(({ taskId, status, state }) => ({ taskId, status, state }))
    const kept = longestPrefix(compact, RESULTS_CAP_BYTES)
    fitted.results = JSON.stringify(compact.slice(0, kept))
    shortened.push(
      kept === results.length
        ? `results (taskId, status and state only)`
        : `results (taskId, status and state of the first ${kept} of ${results.length} tasks)`
    )
  }
  for (const name of LISTS) {
    if (utf16Bytes(outputs[name]) <= LIST_CAP_BYTES) continue
    const items = JSON.parse(outputs[name]) as string[]
    const kept = longestPrefix(items, LIST_CAP_BYTES)
    fitted[name] = JSON.stringify(items.slice(0, kept))
    shortened.push(`${name} (the first ${kept} of ${items.length})`)
  }
  for (const name of OUTPUT_NAMES) {
    if ((LISTS as readonly string[]).includes(name) || name === 'results' || name === 'matrix')
      continue
    if (utf16Bytes(outputs[name]) <= SCALAR_CAP_BYTES) continue
    // A URL or a path cut short would be wrong; an empty one is honest.
    fitted[name] = ''
    shortened.push(`${name} (left empty: ${outputs[name].length} characters)`)
  }
  fitted.matrix = fitMatrix(outputs.matrix, OUTPUTS_BUDGET_BYTES - sizeOf(fitted, 'matrix'))
  return { outputs: fitted, shortened }
}

/** Names and values, as GitHub counts them, of every output but `except`, and its name. */
function sizeOf(outputs: Outputs, except: OutputName): number {
  return OUTPUT_NAMES.reduce(
    (sum, name) => sum + utf16Bytes(name) + (name === except ? 0 : utf16Bytes(outputs[name])),
    0
  )
}

/**
 * The matrix's leading entries that fit in `capBytes`, whole: a job is never given half a
 * task. What it left out is said by matrixShortfall, as it counts from the value itself.
 */
function fitMatrix(matrix: string, capBytes: number): string {
  if (utf16Bytes(matrix) < capBytes) return matrix
  const { include } = JSON.parse(matrix) as { include: unknown[] }
  const kept = longestPrefix(include, capBytes - utf16Bytes('{"include":}') - 2)
  return JSON.stringify({ include: include.slice(0, kept) })
}

/** How many leading items of `items` fit in `capBytes` as a JSON array. */
export function longestPrefix(items: readonly unknown[], capBytes: number): number {
  let used = utf16Bytes('[]')
  for (let index = 0; index < items.length; index++) {
    used += utf16Bytes(JSON.stringify(items[index])) + (index > 0 ? 2 : 0)
    if (used > capBytes) return index
  }
  return items.length
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined && entry !== null)
  ) as Partial<T>
}
