/**
 * The create step, in order: inputs, files and jobs (every problem at once, before any
 * request), the files' MD5s and tags, then either the dry run's listing or, per job, reuse of a
 * tagged world, uploads and creation; outputs, results-file and the summary are written
 * whatever happens. Only I/O and sequencing live here; decisions are made by pure modules.
 */
import * as path from 'node:path'
import { type ActionIO, coreActionIO } from '../action-io.js'
import { describeError } from '../errors.js'
import { CREATE_SECRET_INPUTS, type CreateInputName } from '../inputs/create-contract.js'
import { InputError } from '../inputs/parse.js'
import { USER_AGENT } from '../net/http.js'
import { Lux3dCreator } from '../providers/lux3d/create.js'
import { type CreateCall, isReusable, WorldCreator } from '../providers/world/create.js'
import {
  buildCreateOutputs,
  type JobRecord,
  renderCreateSummary,
  type UploadRecord
} from '../report/create-outputs.js'
import { type GuardedIO, guardedIO } from '../report/guarded-io.js'
import { warnOncePerKind } from '../report/log-lines.js'
import { writeSummary } from '../report/publish.js'
import { Redactor } from '../report/redact.js'
import { resultsFilePath, writeResultsFile } from '../report/results-file.js'
import { processRuntime, type Runtime } from '../runtime.js'
import { formatBytes } from '../units.js'
import { type CreateConfig, parseCreateInputs, type Ref } from './inputs.js'
import { matchFiles, statRef } from './local-files.js'
import { md5File, type UploadContext, type UploadedFile, uploadFiles } from '../upload/index.js'
import {
  filesOf,
  type JobInput,
  jobTag,
  type LocalFile,
  type PlannedJob,
  planJobs,
  providerOf,
  requestOf,
  tagInName
} from './plan.js'

/** Limit of one API request; the deadline cuts it shorter near the end. */
const REQUEST_TIMEOUT_MS = 30_000

/** What the step has done so far: what the outputs and the summary report, even on failure. */
interface Progress {
  provider: string
  dryRun: boolean
  jobs: JobRecord[]
  uploads: UploadRecord[]
  uploadMs: number
  deduplicated: number
  /** The local files the jobs take: what a dry run would upload. */
  local: { count: number; bytes: number }
}

/** The action: every failure, of any kind, ends in io.setFailed and nothing else. */
export async function run(
  rawIo: ActionIO<CreateInputName> = coreActionIO<CreateInputName>(),
  runtime: Runtime = processRuntime()
): Promise<void> {
  // Masked before anything else is read or printed.
  const secrets = CREATE_SECRET_INPUTS.map(name => rawIo.getInput(name).trim()).filter(Boolean)
  secrets.forEach(secret => rawIo.setSecret(secret))
  const io = guardedIO(rawIo, new Redactor(secrets))
  let progress: Progress | undefined
  try {
    const { config, jobs } = await prepare(rawIo, io, runtime)
    progress = {
      provider: providerOf(config.job.kind),
      dryRun: config.dryRun,
      jobs: [],
      uploads: [],
      uploadMs: 0,
      deduplicated: 0,
      local: {
        count: filesOf(jobs).length,
        bytes: filesOf(jobs).reduce((sum, file) => sum + file.bytes, 0)
      }
    }
    const md5s = await digestFiles(filesOf(jobs), runtime, io)
    const tagged = jobs.map(job => ({ job, tag: jobTag(job, file => md5s.get(file.path) ?? '') }))
    if (config.dryRun) dryRun(tagged, progress, io)
    else await createJobs(config, tagged, md5s, progress, runtime, io)
    await report(progress, runtime, io)
  } catch (error) {
    let message = describeError(error)
    if (progress) {
      const made = progress.jobs.filter(job => job.id)
      if (made.length > 0) {
        message += ` Jobs made or reused before this: ${made.map(job => `${job.name} (${job.id})`).join(', ')}; their ids are in the 'task-ids' output.`
      }
      await report(progress, runtime, io, message)
    }
    io.setFailed(message)
  }
}

/** Inputs, files and jobs, or one InputError with every problem, before any request. */
async function prepare(
  rawIo: ActionIO<CreateInputName>,
  io: GuardedIO<CreateInputName>,
  runtime: Runtime
): Promise<{ config: CreateConfig; jobs: PlannedJob[] }> {
  const workspace = runtime.env.GITHUB_WORKSPACE || process.cwd()
  const { config, problems } = parseCreateInputs(name => rawIo.getInput(name), workspace)
  if (!config) throw new InputError(problems)
  config.notices.forEach(message => io.notice(message))

  const refs = refsOf(config)
  const local = new Map<string, LocalFile>()
  for (const { name, ref } of refs) {
    const found = await statRef(ref, name, workspace)
    if ('problem' in found) problems.push(found.problem)
    else local.set(ref.path, found.file)
  }
  const { job } = config
  const matched =
    job.kind === 'reconstruction' && job.source.kind === 'files'
      ? await matchFiles(job.source.patterns, workspace)
      : undefined
  const plan = planJobs(job, {
    matched,
    fileOf: ref => local.get(ref.path),
    workspaceName: path.basename(workspace)
  })
  problems.push(...plan.problems)
  const files = filesOf(plan.jobs)
  if (problems.length > 0) throw new InputError(problems)

  const bytes = files.reduce((sum, file) => sum + file.bytes, 0)
  io.info(
    `With the provided inputs, there will be ${plan.jobs.length} ${job.kind} job${plan.jobs.length === 1 ? '' : 's'}${files.length > 0 ? ` from ${files.length} file${files.length === 1 ? '' : 's'} to upload (${formatBytes(bytes)})` : ''}.`
  )
  return { config, jobs: plan.jobs }
}

function refsOf(
  config: CreateConfig
): Array<{ name: string; ref: Extract<Ref, { kind: 'file' }> }> {
  const { job } = config
  const named: Array<{ name: string; ref: Ref | undefined }> =
    job.kind === 'reconstruction'
      ? [{ name: 'cover', ref: job.cover }]
      : job.kind === 'generation'
        ? [
            { name: 'image', ref: job.image },
            { name: 'cover', ref: job.cover }
          ]
        : job.kind === 'image-to-3d'
          ? job.images.map(ref => ({ name: job.multiView ? 'images' : 'image', ref }))
          : [{ name: 'image', ref: job.image }]
  return named.flatMap(({ name, ref }) => (ref?.kind === 'file' ? [{ name, ref }] : []))
}

/** Each file's MD5, listed with its size, in one streamed pass per file. */
async function digestFiles(
  files: readonly LocalFile[],
  runtime: Runtime,
  io: GuardedIO<CreateInputName>
): Promise<Map<string, string>> {
  const md5s = new Map<string, string>()
  if (files.length === 0) return md5s
  io.startGroup(`${files.length} file${files.length === 1 ? '' : 's'}: size and MD5`)
  try {
    for (const file of files) {
      const { md5 } = await md5File(file.path, runtime.signal)
      md5s.set(file.path, md5)
      io.info(`${file.relative}  ${formatBytes(file.bytes)} (${file.bytes} bytes)  md5 ${md5}`)
    }
  } finally {
    io.endGroup()
  }
  return md5s
}

/** Prints what would be sent; sends nothing. */
function dryRun(
  tagged: ReadonlyArray<{ job: PlannedJob; tag: string }>,
  progress: Progress,
  io: GuardedIO<CreateInputName>
): void {
  const link = (item: JobInput): string =>
    item.kind === 'url' ? item.url : `<public URL of the upload of ${item.file.relative}>`
  for (const { job, tag } of tagged) {
    const request = requestOf(job, link, job.provider === 'world' ? tag : undefined)
    io.startGroup(
      `Dry run: POST ${request.path} (${job.provider === 'world' ? request.body.name : job.kind})`
    )
    JSON.stringify(request.body, null, 2)
      .split('\n')
      .forEach(line => io.info(line))
    io.endGroup()
    progress.jobs.push(record(job, request.body.name, null, false))
  }
  io.notice(
    `Dry run: ${tagged.length} job${tagged.length === 1 ? '' : 's'} checked; nothing was uploaded and nothing was created.`
  )
}

async function createJobs(
  config: CreateConfig,
  tagged: ReadonlyArray<{ job: PlannedJob; tag: string }>,
  md5s: ReadonlyMap<string, string>,
  progress: Progress,
  runtime: Runtime,
  io: GuardedIO<CreateInputName>
): Promise<void> {
  const { clock, signal } = runtime
  const call: CreateCall = { signal, deadline: clock.now() + config.timeoutMs }
  const options = {
    apiKey: config.apiKey,
    region: config.region,
    apiUrl: config.apiUrl,
    clock,
    log: io,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    onRetry: warnOncePerKind(io),
    xSource: USER_AGENT
  }
  const uploaded = new Map<string, UploadedFile>()
  const upload = async (job: PlannedJob): Promise<(item: JobInput) => string> => {
    const files = filesOf([job]).filter(file => !uploaded.has(file.path))
    if (files.length > 0) {
      const context: UploadContext = { ...options, signal, deadline: call.deadline }
      const started = clock.now()
      const results = await uploadFiles(
        files.map(file => ({ path: file.path, name: path.basename(file.path) })),
        context
      )
      progress.uploadMs += clock.now() - started
      results.forEach((result, index) => {
        const file = files[index]
        uploaded.set(file.path, result)
        if (result.deduplicated) progress.deduplicated++
        progress.uploads.push({
          file: file.relative,
          url: result.url,
          md5: result.md5,
          bytes: result.bytes
        })
        if (md5s.get(file.path) !== result.md5) {
          io.warning(
            `${file.relative}: the upload reports MD5 ${result.md5}, this step read ${md5s.get(file.path)}; was the file changed meanwhile?`
          )
        }
      })
    }
    return item => (item.kind === 'url' ? item.url : (uploaded.get(item.file.path)?.url ?? ''))
  }

  if (providerOf(config.job.kind) === 'lux3d') {
    const creator = new Lux3dCreator(options)
    for (const { job } of tagged) {
      const request = requestOf(job, await upload(job))
      const taskId = await creator.create(request.path, request.body, `the ${job.kind} task`, call)
      io.info(`Lux3D ${job.kind} task ${taskId} created.`)
      progress.jobs.push(record(job, undefined, taskId, false))
    }
    return
  }

  const creator = new WorldCreator(options)
  const found = await creator.findTagged(new Set(tagged.map(({ tag }) => tag)), tagInName, call)
  for (const { job, tag } of tagged) {
    const earlier = found.get(tag)
    if (earlier && isReusable(earlier.status)) {
      io.info(
        `Reusing world ${earlier.worldId} (${earlier.status}) for "${job.name}": an earlier run made it from the same files and options (tag [aholo:${tag}]); nothing is uploaded or paid again.`
      )
      progress.jobs.push(record(job, earlier.name, earlier.worldId, true))
      continue
    }
    if (earlier) {
      io.info(
        `World ${earlier.worldId} with tag [aholo:${tag}] ended ${earlier.status}; making "${job.name}" again.`
      )
    }
    const request = requestOf(job, await upload(job), tag)
    const name = String(request.body.name)
    const { worldId, recovered } = await creator.create(
      request.path,
      request.body,
      { what: `world "${name}"`, tag, tagOf: tagInName },
      call
    )
    if (!recovered) io.info(`World ${worldId} created: "${name}".`)
    progress.jobs.push(record(job, name, worldId, false))
  }
}

function record(job: PlannedJob, name: unknown, id: string | null, reused: boolean): JobRecord {
  const files = job.inputs.filter(item => item.kind === 'file')
  return {
    name: typeof name === 'string' ? name : job.kind,
    id,
    reused,
    files: job.inputs.length,
    bytes: files.reduce((sum, item) => sum + (item.kind === 'file' ? item.file.bytes : 0), 0)
  }
}

/** Outputs, results-file and the summary, from what was done. */
async function report(
  progress: Progress,
  runtime: Runtime,
  io: GuardedIO<CreateInputName>,
  failure?: string
): Promise<void> {
  const resultsFile = resultsFilePath(runtime.env)
  const { provider, jobs, uploads, dryRun } = progress
  try {
    writeResultsFile(resultsFile, io.redactor.json({ provider, dryRun, jobs, uploads }))
  } catch (error) {
    io.warning(`Could not write results-file ${resultsFile}: ${describeError(error)}`)
  }
  const { outputs, shortened } = buildCreateOutputs(
    provider,
    jobs,
    uploads,
    resultsFile,
    io.redactor
  )
  for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value)
  if (shortened.length > 0) {
    io.warning(
      `Some outputs were shortened to stay under GitHub's limit of outputs per job: ${shortened.join('; ')}. The full lists are in the file named by the 'results-file' output (${resultsFile}).`
    )
  }
  await writeSummary(
    io,
    renderCreateSummary({
      dryRun,
      provider,
      jobs,
      uploads: {
        count: dryRun ? progress.local.count : uploads.length,
        bytes: dryRun
          ? progress.local.bytes
          : uploads.reduce((sum, upload) => sum + upload.bytes, 0),
        ms: progress.uploadMs,
        deduplicated: progress.deduplicated
      },
      note: failure ? `❌ The step failed: ${failure}` : undefined
    })
  )
}
