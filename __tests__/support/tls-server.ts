/**
 * An https server on 127.0.0.1 with a fresh self-signed certificate for the given DNS names.
 * Node reads NODE_EXTRA_CA_CERTS at start only, so a client that must trust it runs in a child
 * process given `certFile`.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { RequestListener } from 'node:http'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

export interface TlsServer {
  port: number
  /** The certificate, PEM: a CA for NODE_EXTRA_CA_CERTS. */
  cert: string
  close(): Promise<void>
}

export async function startTlsServer(
  names: readonly string[],
  listener: RequestListener
): Promise<TlsServer> {
  const folder = mkdtempSync(path.join(tmpdir(), 'aholo-tls-'))
  const keyFile = path.join(folder, 'key.pem')
  const certFile = path.join(folder, 'cert.pem')
  try {
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
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${names.map(name => `DNS:${name}`).join(',')}`,
        '-keyout',
        keyFile,
        '-out',
        certFile
      ],
      { stdio: 'ignore' }
    )
    const cert = readFileSync(certFile, 'utf8')
    const server = https.createServer({ key: readFileSync(keyFile), cert }, listener)
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    return {
      port: (server.address() as AddressInfo).port,
      cert,
      close: () => new Promise(resolve => server.close(() => resolve()))
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
