/**
 * The create action's outputs and its job summary: the jobs made or reused, in the shape the
 * wait action takes (`task-ids`, `provider`), and the uploads. Pure.
 */
import { formatBytes, formatDuration } from '../units.js'
import { longestPrefix } from './outputs.js'
import type { Redactor } from './redact.js'
import { markdownText } from './markdown.js'

/** Every output of create/action.yml, by name. */
export const CREATE_OUTPUT_NAMES = [
  'task-ids',
  'provider',
  'jobs',
  'uploads',
  'results-file'
] as const
export type CreateOutputName = (typeof CREATE_OUTPUT_NAMES)[number]
export type CreateOutputs = Record<CreateOutputName, string>

export interface JobRecord {
  /** The world's name (with its tag), or the Lux3D job's kind. */
  name: string
  /** Null on a dry run, and for a job not made. */
  id: string | null
  reused: boolean
  files: number
  bytes: number
}

export interface UploadRecord {
  /** Relative to the workspace. */
  file: string
  url: string
  md5: string
  bytes: number
}

/** Caps in UTF-16 bytes: with the rest, well under half of GitHub's 1 MB per job. */
const JOBS_CAP_BYTES = 128 * 1024
const UPLOADS_CAP_BYTES = 96 * 1024

export function buildCreateOutputs(
  provider: string,
  jobs: readonly JobRecord[],
  uploads: readonly UploadRecord[],
  resultsFile: string,
  redactor: Redactor
): { outputs: CreateOutputs; shortened: string[] } {
  const shortened: string[] = []
  const clean = redactor.value({ jobs, uploads })
  const jobList = fit(clean.jobs, JOBS_CAP_BYTES, 'jobs', shortened)
  const uploadList = fit(clean.uploads, UPLOADS_CAP_BYTES, 'uploads', shortened)
  const uploadMap = Object.fromEntries(uploadList.map(({ file, ...rest }) => [file, rest]))
  return {
    outputs: {
      // Every id, however many: the wait action needs them all, and ids are short.
      'task-ids': clean.jobs.flatMap(job => (job.id ? [job.id] : [])).join('\n'),
      provider,
      jobs: JSON.stringify(jobList),
      uploads: JSON.stringify(uploadMap),
      'results-file': redactor.text(resultsFile)
    },
    shortened
  }
}

/** The leading items within `capBytes` (with 4 bytes to spare), naming what was cut. */
function fit<T>(items: readonly T[], capBytes: number, name: string, shortened: string[]): T[] {
  const kept = longestPrefix(items, capBytes - 4)
  if (kept < items.length) shortened.push(`${name} (the first ${kept} of ${items.length})`)
  return items.slice(0, kept)
}

export interface CreateSummary {
  dryRun: boolean
  provider: string
  jobs: readonly JobRecord[]
  uploads: { count: number; bytes: number; ms: number; deduplicated: number }
  note?: string
}

/** The job summary: a table of the jobs made or reused, and a line on the uploads. */
export function renderCreateSummary(summary: CreateSummary): string {
  const heading = summary.dryRun ? '## Aholo jobs: dry run' : '## Aholo jobs'
  const lines = [heading, '']
  if (summary.dryRun) {
    lines.push(
      'A dry run: the inputs were checked and the request bodies printed in the log; nothing was uploaded and nothing was created.',
      ''
    )
  }
  lines.push('| Job | Id | | Files | Size |', '|---|---|---|---|---|')
  for (const job of summary.jobs.slice(0, 500)) {
    const made = summary.dryRun
      ? 'would be made'
      : job.id
        ? job.reused
          ? '♻️ reused'
          : '✅ made'
        : '— not made'
    lines.push(
      `| ${markdownText(job.name)} | ${job.id ? markdownText(job.id) : ''} | ${made} | ${job.files} | ${formatBytes(job.bytes)} |`
    )
  }
  if (summary.jobs.length > 500) lines.push('', `… and ${summary.jobs.length - 500} more jobs.`)
  const { count, bytes, ms, deduplicated } = summary.uploads
  lines.push(
    '',
    summary.dryRun
      ? `Files to upload: ${count} (${formatBytes(bytes)}).`
      : count === 0
        ? 'No files uploaded: every input is a link.'
        : `Uploads: ${count} file${count === 1 ? '' : 's'}, ${formatBytes(bytes)} in ${formatDuration(ms)}${deduplicated > 0 ? `, ${deduplicated} already on the service` : ''}.`
  )
  lines.push('', `Provider for the wait action: \`${summary.provider}\`.`)
  if (summary.note) lines.push('', markdownText(summary.note))
  return `${lines.join('\n')}\n`
}
