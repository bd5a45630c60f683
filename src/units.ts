const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/

/**
 * Parses `500ms`, `10s`, `2m`, `1h` or plain seconds (`30`, `1.5`) into milliseconds.
 * Returns undefined for anything else, so the caller can name the input in its message.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim().toLowerCase())
  if (!match) return undefined
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's']
  return Number.isFinite(ms) ? Math.round(ms) : undefined
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30
}
const SIZE = /^(\d+)(?:\.(\d+))?\s*(B|kB|MB|GB|KiB|MiB|GiB)?$/

/**
 * Parses `150MB`, `2GiB`, `1.5MiB`, `512kB` or plain bytes into bytes, case as written: kB, MB
 * and GB are powers of 10, KiB, MiB and GiB powers of 2. Undefined for anything else (`150mb`,
 * `1TB`), and for a size that is not a whole number of bytes (`0.5`, `1.0001kB`): exact
 * decimal arithmetic, so `1.1MB` is 1,100,000 bytes, not a float's neighbour of it.
 */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim())
  if (!match) return undefined
  const [, whole, fraction = '', unit = 'B'] = match
  const scaled = BigInt(whole + fraction) * BigInt(SIZE_UNITS[unit])
  const divisor = 10n ** BigInt(fraction.length)
  if (scaled % divisor !== 0n) return undefined
  const bytes = Number(scaled / divisor)
  return Number.isSafeInteger(bytes) ? bytes : undefined
}

/** `1h 2m 3s`, `4.2s`, `250ms`: short, for logs and summaries. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`
  const total = Math.round(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter(Boolean).join(' ')
}

/** `512 B`, `1.5 KiB`, `67 KiB`, `1.0 GiB`: binary units, two or three significant digits. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** `468.2 MiB/s` */
export function formatRate(bytes: number, ms: number): string {
  return `${(bytes / 1024 / 1024 / Math.max(ms / 1000, 0.001)).toFixed(1)} MiB/s`
}
