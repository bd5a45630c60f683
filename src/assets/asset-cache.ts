/**
 * Verified asset files kept in the runner's tool cache (@actions/tool-cache, under
 * RUNNER_TOOL_CACHE), so that a self-hosted runner that waits for the same tasks again places
 * them in `download-dir` without downloading them.
 *
 * A file's key is its API, task id, format and URL without the query string (which carries a
 * signature that changes on every answer). Tool-cache keys entries by (tool, version, arch), with
 * an explicit semver version, so the key maps onto them as:
 *   tool    `aholo-<api>-<format>`, e.g. `aholo-world-spz`: only [a-z-], safe on every file system;
 *   version `0.0.0-k<hex>`, the first 32 hex digits (128 bits) of the SHA-256 of the key as the
 *           JSON array [api, taskId, format, url]: valid semver (the `k` keeps an all-digit hash
 *           from being a numeric identifier with a leading zero), whatever the task id holds;
 *   arch    `any`: splat files are the same on every machine.
 * The entry holds one file, named `<bytes>-<sha256>-<key>.<format>`: the size and digest it had
 * when it was downloaded and verified, and the hash of the key it was kept under. Recorded in the
 * name, they land with the file in one cacheFile call, under tool-cache's own `.complete` marker,
 * so no entry can have a file without its record; and an entry moved under another key (another
 * task's file where this task's is looked for) does not match its record and is not used.
 *
 * Nothing here fails the step: a cache that cannot be read or written is a warning, and the file
 * is downloaded as if there were no cache.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises'
import * as path from 'node:path'
import { type AssetFormat, formatLabel } from '../domain/formats.js'
import { cancellationOf, errorMessage } from '../errors.js'
import { redactUrl } from '../net/url-policy.js'
import type { ApiKind } from '../providers/provider.js'
import { type Log, untilAborted } from '../runtime.js'
import type { AssetFile } from './types.js'
import { verifyAsset } from './verify.js'

export interface CacheKey {
  api: ApiKind
  taskId: string
  format: AssetFormat
  /** As the service gave it; the query string is dropped here. */
  url: string
}

/** Where a key lives in tool-cache's terms. */
export interface ToolCacheEntry {
  tool: string
  version: string
  arch: string
}

const ARCH = 'any'
const ENTRY_NAME = /^(\d+)-([0-9a-f]{64})-k([0-9a-f]{32})\.([a-z0-9]+)$/

function keyHash(key: CacheKey): string {
  const identity = JSON.stringify([key.api, key.taskId, key.format, redactUrl(key.url)])
  return createHash('sha256').update(identity).digest('hex').slice(0, 32)
}

export function cacheEntryOf(key: CacheKey): ToolCacheEntry {
  return { tool: `aholo-${key.api}-${key.format}`, version: `0.0.0-k${keyHash(key)}`, arch: ARCH }
}

export interface AssetCache {
  /**
   * Places the cached file for `key` at `destination`, checked, or returns undefined when there
   * is none (a corrupt entry is discarded, with a warning). Rejects only when cancelled.
   */
  reuse(key: CacheKey, destination: string, signal: AbortSignal): Promise<AssetFile | undefined>
  /** Keeps a verified file for next time; never rejects. */
  store(key: CacheKey, file: AssetFile, signal: AbortSignal): Promise<void>
}

type ToolCache = Pick<typeof import('@actions/tool-cache'), 'cacheFile' | 'find'>

/**
 * The runner's tool cache, or undefined (with a warning) when there is none to use. Loads
 * @actions/tool-cache only here, so runs without `cache` do not pay for it at start.
 */
export async function openAssetCache(
  env: NodeJS.ProcessEnv,
  log: Log
): Promise<AssetCache | undefined> {
  const root = env.RUNNER_TOOL_CACHE
  const off = "files are neither reused from it nor kept in it. Set 'cache: false' to say so."
  if (!root) {
    log.warning(`'cache' is on, but the runner sets no RUNNER_TOOL_CACHE: ${off}`)
    return undefined
  }
  // The toolkit reads process.env itself; never let it write where the step was not told.
  if (process.env.RUNNER_TOOL_CACHE !== root) {
    log.warning(`'cache' is on, but RUNNER_TOOL_CACHE differs from the process's own: ${off}`)
    return undefined
  }
  try {
    return new ToolCacheStore(await import('@actions/tool-cache'), log)
  } catch (error) {
    log.warning(`The runner's tool cache cannot be used (${errorMessage(error)}): ${off}`)
    return undefined
  }
}

type Checked = { ok: AssetFile; source: string } | { corrupt: string }

class ToolCacheStore implements AssetCache {
  constructor(
    private readonly toolCache: ToolCache,
    private readonly log: Log
  ) {}

  async reuse(
    key: CacheKey,
    destination: string,
    signal: AbortSignal
  ): Promise<AssetFile | undefined> {
    const label = labelOf(key)
    const { tool, version, arch } = cacheEntryOf(key)
    let checked: Checked
    let folder = ''
    try {
      folder = this.toolCache.find(tool, version, arch)
      if (!folder) return undefined
      checked = await checkEntry(folder, key, destination, signal)
      if ('ok' in checked) await place(checked.source, destination)
    } catch (error) {
      if (signal.aborted) throw cancellationOf(signal)
      this.log.warning(
        `${label}: the runner's tool cache could not be used (${errorMessage(error)}); downloading instead.`
      )
      return undefined
    }
    if ('corrupt' in checked) {
      this.log.warning(
        `${label}: the copy in the runner's tool cache is corrupt (${checked.corrupt}); it is discarded and the file downloaded afresh.`
      )
      await this.discard(folder, label)
      return undefined
    }
    this.log.info(`${label}: reused from the runner's tool cache (${checked.source})`)
    return checked.ok
  }

  async store(key: CacheKey, file: AssetFile, signal: AbortSignal): Promise<void> {
    const { tool, version, arch } = cacheEntryOf(key)
    const name = `${file.bytes}-${file.sha256}-k${keyHash(key)}.${file.format}`
    try {
      // Abandoned on a cancel: without its `.complete` marker, a half-copied entry is never found.
      const folder = await untilAborted(
        this.toolCache.cacheFile(file.path, name, tool, version, arch),
        signal
      )
      this.log.debug(`${labelOf(key)}: kept in the runner's tool cache at ${folder}`)
    } catch (error) {
      if (signal.aborted) return
      this.log.warning(
        `${labelOf(key)}: could not be kept in the runner's tool cache: ${errorMessage(error)}`
      )
    }
  }

  // The marker first: once it is gone, tool-cache no longer finds the entry, whatever is left.
  private async discard(folder: string, label: string): Promise<void> {
    try {
      await rm(`${folder}.complete`, { force: true })
      await rm(folder, { recursive: true, force: true })
    } catch (error) {
      this.log.warning(`${label}: could not remove ${folder}: ${errorMessage(error)}`)
    }
  }
}

/**
 * Key, size, header and SHA-256 against what the entry's name recorded; a link is never
 * followed (an entry whose file is a link is corrupt). The header is checked
 * shallow (`deep: false`): the digest was taken of a file that passed the deep check when it was
 * stored, and comparing it covers every byte, so the format's own CRCs would add a second read
 * of the file and catch nothing more. The header check still yields the splat count and version,
 * and refuses a file this version of the verifier no longer accepts.
 */
async function checkEntry(
  folder: string,
  key: CacheKey,
  destination: string,
  signal: AbortSignal
): Promise<Checked> {
  const { format } = key
  const names = (await readdir(folder)).filter(name => ENTRY_NAME.test(name))
  if (names.length !== 1) return { corrupt: `${names.length} files named <size>-<sha256>-<key>` }
  const [, recordedBytes, recordedSha, recordedKey, recordedFormat] =
    ENTRY_NAME.exec(names[0]) ?? []
  const source = path.join(folder, names[0])
  if (recordedFormat !== format) return { corrupt: `it holds a ${recordedFormat} file` }
  if (recordedKey !== keyHash(key)) return { corrupt: 'it was kept for another task or file' }
  const entry = await lstat(source)
  if (!entry.isFile()) return { corrupt: 'its file is a link or not a regular file' }
  const { size } = entry
  if (size !== Number(recordedBytes)) {
    return { corrupt: `${size} bytes, not the ${recordedBytes} recorded` }
  }
  let info: Awaited<ReturnType<typeof verifyAsset>>
  try {
    info = await verifyAsset(source, format, { deep: false })
  } catch (error) {
    return { corrupt: errorMessage(error) }
  }
  const sha256 = await sha256Of(source, signal)
  if (sha256 !== recordedSha) return { corrupt: 'its SHA-256 differs from the one recorded' }
  return {
    source,
    ok: { ...info, path: destination, bytes: size, sha256, reused: true }
  }
}

async function sha256Of(file: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { signal, highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}

/**
 * A hard link where the file system allows one (no copy, no space), else a copy; under a
 * temporary name first, so nothing half-written ever has the final name.
 */
async function place(source: string, destination: string): Promise<void> {
  const folder = path.dirname(destination)
  await mkdir(folder, { recursive: true })
  const temp = path.join(
    folder,
    `.${path.basename(destination)}.${randomBytes(6).toString('hex')}.part`
  )
  try {
    await link(source, temp).catch(() => copyFile(source, temp))
    await rename(temp, destination)
  } finally {
    // rename() leaves both names when they already link the same file (a workspace kept from
    // the run that placed it): the temporary one must go either way.
    await rm(temp, { force: true })
  }
}

function labelOf(key: CacheKey): string {
  return `${key.taskId} ${formatLabel(key.format)}`
}
