/**
 * Downloads over https, as production URLs are: the bundle trusts a test certificate through
 * NODE_EXTRA_CA_CERTS (read at process start, so only a child process can be given it).
 */
import { execFileSync } from 'node:child_process'
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync
} from 'node:fs'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { AholoSim, DEFAULT_CREDENTIALS, startAholoSim } from '../sim/open-platform.js'
import { PROJECT_ROOT, runAction } from '../sim/runner.js'

const SPZ = path.join(PROJECT_ROOT, '__fixtures__', 'splats', 'spz', 'v4_1k_sh3.spz')
let certFile: string
let server: https.Server
let origin: string
let sim: AholoSim

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aholo-tls-'))
  const keyFile = path.join(dir, 'key.pem')
  certFile = path.join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile
    ],
    { stdio: 'ignore' }
  )
  sim = await startAholoSim()
  server = https.createServer(
    { key: readFileSync(keyFile), cert: readFileSync(certFile) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x')
      if (url.pathname === '/signed/model.spz') {
        res.writeHead(200, { 'Content-Length': statSync(SPZ).size })
        createReadStream(SPZ).pipe(res)
      } else if (url.pathname === '/moved/model.ply') {
        // A downgrade to plain http, even to this machine, must be refused.
        res.writeHead(302, { Location: `${sim.url}/assets/T1/point_cloud.ply` }).end()
      } else {
        res.writeHead(404).end()
      }
    }
  )
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await sim.close()
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

it('downloads over https and refuses a redirect from https to http', async () => {
  sim.addTask('T1', [
    {
      status: 3,
      result: {
        spzPath: `${origin}/signed/model.spz?X-Signature=s3cr3tsig`,
        plyPath: `${origin}/moved/model.ply`
      }
    }
  ])
  const run = await runAction({
    inputs: {
      'task-ids': 'T1',
      'app-key': DEFAULT_CREDENTIALS.appKey,
      'app-secret': DEFAULT_CREDENTIALS.appSecret,
      'app-uid': DEFAULT_CREDENTIALS.appUid,
      'api-url': sim.url,
      'poll-interval': '50ms',
      download: 'all'
    },
    env: { NODE_EXTRA_CA_CERTS: certFile }
  })

  expect(run.exitCode).toBe(1)
  const [task] = JSON.parse(run.outputs.results) as Array<{ files: Array<Record<string, unknown>> }>
  expect(task.files).toEqual([
    expect.objectContaining({
      format: 'spz',
      bytes: statSync(SPZ).size,
      gaussians: 1000,
      version: 'spz-v4',
      shDegree: 3
    })
  ])
  const folder = path.join(run.workspace, 'aholo-assets', 'T1')
  expect(readdirSync(folder)).toEqual(['model.spz'])
  expect(existsSync(path.join(folder, 'model.ply'))).toBe(false)
  const error = run.stdout.split('\n').find(line => line.startsWith('::error::')) ?? ''
  expect(error).toContain(
    `Task T1, PLY from ${origin}/moved/model.ply: HTTP 302: refused a redirect from https to ${sim.url}/assets/T1/point_cloud.ply`
  )
  // Signed URLs' query strings stay out of the log.
  expect(run.stdout).not.toContain('X-Signature')
  // No request ever reached the http target.
  expect(sim.requests.filter(request => request.path.startsWith('/assets/'))).toEqual([])
}, 30_000)
