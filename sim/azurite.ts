/**
 * Azurite's blob service (the `azurite` npm package) as a child process on 127.0.0.1: an
 * ephemeral port, storage in memory, no telemetry. The artifact tests upload real blobs to it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

/** Azurite's built-in development account; the key is public, the same in every install. */
export const DEV_ACCOUNT = 'devstoreaccount1'
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

export interface Azurite {
  port: number
  /** Path-style, as an IP host requires: `http://127.0.0.1:PORT/devstoreaccount1`. */
  blobEndpoint: string
  stop(): Promise<void>
}

export interface AzuriteOptions {
  startTimeoutMs?: number
  /** Caps Azurite's in-memory store; the default is half the machine's memory. */
  memoryLimitMb?: number
}

const READY = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const require = createRequire(import.meta.url)
  const main = path.join(
    path.dirname(require.resolve('azurite/package.json')),
    'dist/src/blob/main.js'
  )
  // Azurite writes nothing with --inMemoryPersistence, but a debug log or telemetry state
  // must never land in the project if a flag changes: give it a directory of its own.
  const workDir = mkdtempSync(path.join(tmpdir(), 'azurite-'))
  const child = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      String(options.memoryLimitMb ?? 1024),
      '--silent',
      '--loose',
      '--skipApiVersionCheck',
      '--disableTelemetry'
    ],
    { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  // A test that dies before stop() must not leave the server running.
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const cleanUp = async (): Promise<void> => {
    await stopChild(child, exited)
    process.removeListener('exit', killOnExit)
    rmSync(workDir, { recursive: true, force: true })
  }

  let output = ''
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `Azurite did not start within ${options.startTimeoutMs ?? 15_000} ms:\n${output}`
            )
          ),
        options.startTimeoutMs ?? 15_000
      )
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        const match = READY.exec(output)
        if (match) {
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`Azurite exited (${signal ?? code}) before it was ready:\n${output}`))
      })
      child.once('error', error => {
        clearTimeout(timer)
        reject(error)
      })
    })
    return {
      port,
      blobEndpoint: `http://127.0.0.1:${port}/${DEV_ACCOUNT}`,
      stop: cleanUp
    }
  } catch (error) {
    await cleanUp()
    throw error
  }
}

/**
 * Azurite closes its server on the first SIGTERM but waits for open keep-alive connections;
 * it only listens once, so a second SIGTERM ends it. SIGKILL if even that is ignored.
 */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exitedWithin = (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(false), ms)
    })
    return Promise.race([exited.then(() => true), timeout]).finally(() => clearTimeout(timer))
  }
  child.kill('SIGTERM')
  if (await exitedWithin(1_000)) return
  child.kill('SIGTERM')
  if (await exitedWithin(2_000)) return
  child.kill('SIGKILL')
  await exited
}
