/**
 * A local stand-in of GitHub's Actions results service: the two Twirp JSON endpoints that
 * `@actions/artifact` calls to upload (CreateArtifact, FinalizeArtifact), on 127.0.0.1, with
 * signed upload URLs into a real Azure blob store (Azurite). Records every call for assertions
 * and reads uploaded artifacts back. Also: a runtime token the client accepts, and a ZIP reader.
 */
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential
} from '@azure/storage-blob'
import { once } from 'node:events'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { crc32, inflateRawSync } from 'node:zlib'
import { type Azurite, DEV_ACCOUNT, DEV_ACCOUNT_KEY } from './azurite.js'

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'

/** The message GitHub's service sends with 409 (upload-artifact matches on it for overwrites). */
export const NAME_EXISTS_MESSAGE = 'an artifact with this name already exists on the workflow run'

export interface TwirpCall {
  method: string
  /** The JSON body as the client sent it (snake_case proto field names). */
  body: Record<string, unknown>
  authorization: string | undefined
  status: number
}

export interface ArtifactRecord {
  id: number
  name: string
  workflowRunBackendId: string
  workflowJobRunBackendId: string
  blobName: string
  /** RFC 3339, present when the client asked for a retention period. */
  expiresAt: string | undefined
  mimeType: string | undefined
  version: number | undefined
  /** From FinalizeArtifact: the size the client reports, as the int64 string it sends. */
  size: string | undefined
  /** From FinalizeArtifact: `sha256:<hex>`. */
  hash: string | undefined
  finalized: boolean
}

export interface RunIds {
  workflowRunBackendId: string
  workflowJobRunBackendId: string
}

export const DEFAULT_RUN_IDS: RunIds = {
  workflowRunBackendId: 'c7a5d2f0-1b7e-4d6a-9a55-7c3f0e2b9a11',
  workflowJobRunBackendId: '5e0f9b3c-2a41-5d8e-b3c6-0d9e7f1a2b44'
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

export class ResultsService {
  readonly calls: TwirpCall[] = []
  private readonly artifacts: ArtifactRecord[] = []
  private readonly sockets = new Set<Socket>()
  private nextId = 1000
  url = ''

  private constructor(
    private readonly server: http.Server,
    private readonly container: ContainerClient
  ) {
    server.on('connection', socket => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
    })
  }

  static async start(azurite: Azurite, containerName = 'actions-results'): Promise<ResultsService> {
    const blobs = new BlobServiceClient(
      azurite.blobEndpoint,
      new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY)
    )
    const container = blobs.getContainerClient(containerName)
    await container.createIfNotExists()
    const server = http.createServer()
    const service = new ResultsService(server, container)
    server.on('request', (request, response) => void service.handle(request, response))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return service
  }

  /** The artifacts created so far, in order, finalized or not. */
  list(): readonly ArtifactRecord[] {
    return this.artifacts
  }

  artifact(name: string, run: RunIds = DEFAULT_RUN_IDS): ArtifactRecord | undefined {
    return this.find(run.workflowRunBackendId, name)
  }

  /** The uploaded blob (the artifact's ZIP), read back from Azurite with the account key. */
  async readArtifact(name: string, run: RunIds = DEFAULT_RUN_IDS): Promise<Buffer> {
    const record = this.artifact(name, run)
    if (!record) throw new Error(`No artifact named ${JSON.stringify(name)} was created`)
    return this.container.getBlobClient(record.blobName).downloadToBuffer()
  }

  async stop(): Promise<void> {
    const closed = once(this.server, 'close')
    this.server.close()
    for (const socket of this.sockets) socket.destroy()
    await closed
  }

  private async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse
  ): Promise<void> {
    const method = (request.url ?? '').startsWith(TWIRP_PREFIX)
      ? (request.url ?? '').slice(TWIRP_PREFIX.length)
      : ''
    const call: TwirpCall = {
      method,
      body: {},
      authorization: request.headers.authorization,
      status: 200
    }
    this.calls.push(call)
    let status = 200
    let answer: unknown
    try {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      if (request.method !== 'POST' || !method) {
        throw new TwirpError(404, 'bad_route', `no handler for ${request.method} ${request.url}`)
      }
      if (!request.headers.authorization?.startsWith('Bearer ')) {
        throw new TwirpError(401, 'unauthenticated', 'a bearer token is required')
      }
      try {
        call.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
      } catch {
        throw new TwirpError(400, 'malformed', 'the body is not JSON')
      }
      if (method === 'CreateArtifact') answer = await this.createArtifact(call.body)
      else if (method === 'FinalizeArtifact') answer = this.finalizeArtifact(call.body)
      else throw new TwirpError(404, 'bad_route', `no method ${method}`)
    } catch (error) {
      // A fault of the stand-in itself (Azurite gone, say) is answered, not left to crash
      // the test process; the client retries a 500, so the test fails slowly but clearly.
      const fault =
        error instanceof TwirpError ? error : new TwirpError(500, 'internal', String(error))
      status = fault.status
      answer = { code: fault.code, msg: fault.message }
    }
    if (response.destroyed) return
    call.status = status
    response.writeHead(status, { 'Content-Type': 'application/json' })
    response.end(JSON.stringify(answer))
  }

  private async createArtifact(body: Record<string, unknown>): Promise<unknown> {
    const runId = requireString(body, 'workflow_run_backend_id')
    const jobId = requireString(body, 'workflow_job_run_backend_id')
    const name = requireString(body, 'name')
    if (this.find(runId, name)) throw new TwirpError(409, 'already_exists', NAME_EXISTS_MESSAGE)
    const blobName = `${runId}/${jobId}/${encodeURIComponent(name)}.zip`
    this.artifacts.push({
      id: this.nextId++,
      name,
      workflowRunBackendId: runId,
      workflowJobRunBackendId: jobId,
      blobName,
      expiresAt: optionalString(body, 'expires_at'),
      mimeType: optionalString(body, 'mime_type'),
      version: typeof body.version === 'number' ? body.version : undefined,
      size: undefined,
      hash: undefined,
      finalized: false
    })
    // Like the real service: a short-lived SAS for this one blob that can create and write it
    // but not read it back.
    const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY)
    const sas = generateBlobSASQueryParameters(
      {
        containerName: this.container.containerName,
        blobName,
        permissions: BlobSASPermissions.parse('cw'),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + 60 * 60_000)
      },
      credential
    )
    const url = `${this.container.getBlockBlobClient(blobName).url}?${sas.toString()}`
    return { ok: true, signed_upload_url: url }
  }

  private finalizeArtifact(body: Record<string, unknown>): unknown {
    const runId = requireString(body, 'workflow_run_backend_id')
    const name = requireString(body, 'name')
    const record = this.find(runId, name)
    if (!record || record.finalized) {
      throw new TwirpError(404, 'not_found', `no artifact ${name} awaiting finalization`)
    }
    record.size = optionalString(body, 'size')
    record.hash = optionalString(body, 'hash')
    record.finalized = true
    return { ok: true, artifact_id: String(record.id) }
  }

  private find(runId: string, name: string): ArtifactRecord | undefined {
    return this.artifacts.find(a => a.workflowRunBackendId === runId && a.name === name)
  }
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string' || !value) {
    throw new TwirpError(400, 'invalid_argument', `${field} is required`)
  }
  return value
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  return typeof value === 'string' ? value : undefined
}

/**
 * An ACTIONS_RUNTIME_TOKEN the toolkit accepts: it decodes the JWT without checking the
 * signature and takes the run and job ids from the `Actions.Results:<run>:<job>` scope.
 */
export function runtimeToken(run: RunIds = DEFAULT_RUN_IDS): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = part({ alg: 'HS256', typ: 'JWT' })
  const claims = part({
    scp: `Actions.ExampleScope Actions.Results:${run.workflowRunBackendId}:${run.workflowJobRunBackendId}`
  })
  return `${header}.${claims}.not-a-real-signature`
}

/** The variables the runner gives a step that uploads artifacts, pointed at this service. */
export function runnerEnv(
  service: ResultsService,
  run: RunIds = DEFAULT_RUN_IDS
): Record<string, string> {
  return {
    ACTIONS_RUNTIME_TOKEN: runtimeToken(run),
    ACTIONS_RESULTS_URL: `${service.url}/`,
    // The toolkit refuses GHES hosts, so the server must look like github.com.
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/splat-pipeline',
    GITHUB_RUN_ID: '9876543210'
  }
}

export interface ZipEntry {
  name: string
  data: Buffer
}

/**
 * The entries of a ZIP archive, read from its central directory, inflated and checked
 * against their CRC-32. Enough for the archives @actions/artifact writes (no ZIP64).
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0 || eocd + 22 > zip.length) throw new Error('not a ZIP: no end of central directory')
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`)
    const method = zip.readUInt16LE(at + 10)
    const crc = zip.readUInt32LE(at + 16)
    const compressedSize = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localOffset = zip.readUInt32LE(at + 42)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + extraLength + commentLength

    if (zip.readUInt32LE(localOffset) !== 0x04034b50)
      throw new Error(`bad local header for ${name}`)
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    const data =
      method === 0 ? raw : method === 8 ? inflateRawSync(raw) : fail(`${name}: method ${method}`)
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes, expected ${size}`)
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch`)
    entries.push({ name, data })
  }
  return entries
}

function fail(message: string): never {
  throw new Error(message)
}
