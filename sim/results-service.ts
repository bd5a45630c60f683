/**
 * A local stand-in of GitHub's Actions results service: the two Twirp JSON endpoints that
 * `@actions/artifact` calls to upload (CreateArtifact, FinalizeArtifact), on 127.0.0.1, with
 * signed upload URLs into a real Azure blob store (Azurite). Records every call for assertions
 * and reads uploaded artifacts back. Faults on demand: a CreateArtifact that never answers, a
 * slow blob store (blob requests pass through this server, delayed). Also: a runtime token the
 * client accepts, and a ZIP reader.
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
import { type Azurite, DEV_ACCOUNT, DEV_ACCOUNT_KEY } from './azurite.js'

export { readZip, type ZipEntry } from './zip.js'
import { DEFAULT_RUN_IDS, type RunIds } from './runner-env.js'
import { holdThenForward } from './slow-blob.js'

export { DEFAULT_RUN_IDS, type RunIds, runnerEnv, runtimeToken } from './runner-env.js'

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

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

export interface ResultsFaults {
  /** CreateArtifact is received, recorded with status 0, and never answered. */
  hangCreateArtifact?: boolean
  /**
   * Artifacts created while this is set get an upload URL on this server, which holds every
   * blob request this long before passing it on to Azurite.
   */
  blobDelayMs?: number
}

export class ResultsService {
  readonly calls: TwirpCall[] = []
  faults: ResultsFaults = {}
  /** Blob requests that reached this server (only for artifacts created with a blob delay). */
  blobRequests = 0
  /** What `release` ends: hung calls, and blob requests still being held. */
  private readonly held = new Set<() => void>()
  private readonly artifacts: ArtifactRecord[] = []
  private readonly sockets = new Set<Socket>()
  private nextId = 1000
  url = ''

  private constructor(
    private readonly server: http.Server,
    private readonly container: ContainerClient,
    private readonly azurite: Azurite
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
    const service = new ResultsService(server, container, azurite)
    server.on('request', (request, response) =>
      (request.url ?? '').startsWith(`/${DEV_ACCOUNT}/`)
        ? service.holdBlob(request, response)
        : void service.handle(request, response)
    )
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return service
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

  /**
   * Clears the faults and lets go of what they hold: a hung call loses its connection (the
   * client fails it at once), a held blob request goes on to Azurite now. An upload the test
   * abandoned thus ends soon instead of lingering in the test process.
   */
  release(): void {
    this.faults = {}
    for (const end of [...this.held]) end()
    this.held.clear()
  }

  private holdBlob(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.blobRequests++
    holdThenForward(request, response, {
      port: this.azurite.port,
      delayMs: this.faults.blobDelayMs ?? 0,
      held: this.held
    })
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
      if (method === 'CreateArtifact' && this.faults.hangCreateArtifact) {
        call.status = 0
        const end = (): void => void request.socket.destroy()
        this.held.add(end)
        request.socket.once('close', () => this.held.delete(end))
        return
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
    const direct = new URL(this.container.getBlockBlobClient(blobName).url)
    const base = this.faults.blobDelayMs ? `${this.url}${direct.pathname}` : direct.href
    return { ok: true, signed_upload_url: `${base}?${sas.toString()}` }
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
