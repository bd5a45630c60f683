/**
 * Which URLs the action may reach, and how a URL may be shown. Pure: values in, values out.
 */
import { isIP } from 'node:net'

/**
 * `localhost`, `::1` and 127.0.0.0/8 IP literals: nothing else, so that a name such as
 * `127.0.0.1.attacker.invalid` or `x.localhost` (resolved by whoever runs DNS) is not trusted.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

/** The URL as it may be shown: no query string, fragment or credentials. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin}${parsed.pathname}`
  } catch {
    return String(url).split(/[?#]/, 1)[0]
  }
}

/**
 * Why this asset URL may not be fetched, or undefined when it may: https only, plain http only
 * from this machine, and no private, link-local or metadata address unless `allowPrivateHosts`
 * (set when `api-url` itself is on such a host: a mirror inside the network). `allowInsecureHosts`
 * is for tests that reach a local server by a name a proxy does not bypass; it is never set from
 * user input.
 */
export function refuseUrl(
  url: URL,
  allowInsecureHosts: readonly string[] = [],
  allowPrivateHosts = false
): string | undefined {
  const host = url.hostname.toLowerCase()
  if (url.protocol === 'https:') {
    if (allowPrivateHosts || !isPrivateHost(host)) return undefined
    return `${redactUrl(url)} is a private, link-local or metadata address, which asset URLs may not name unless 'api-url' is on such a host too`
  }
  if (url.protocol === 'http:' && (isLoopbackHost(host) || allowInsecureHosts.includes(host))) {
    return undefined
  }
  return `only https: URLs are downloaded (plain http only from this machine); got ${redactUrl(url)}`
}

/** Where a redirect from `from` leads (relative Locations included), or why it is not followed. */
export function redirectTarget(
  from: URL,
  location: string | undefined,
  allowInsecureHosts?: readonly string[],
  allowPrivateHosts?: boolean
): { next: URL } | { refusal: string } {
  if (!location) return { refusal: 'a redirect without a Location header' }
  let next: URL
  try {
    next = new URL(location, from)
  } catch {
    return { refusal: 'a redirect to an invalid Location' }
  }
  if (from.protocol === 'https:' && next.protocol !== 'https:') {
    return { refusal: `refused a redirect from https to ${redactUrl(next)}` }
  }
  const refusal = refuseUrl(next, allowInsecureHosts, allowPrivateHosts)
  return refusal ? { refusal: `refused a redirect: ${refusal}` } : { next }
}

/**
 * Private (RFC 1918, CGNAT, unique-local), link-local and unspecified addresses, and the cloud
 * metadata endpoints by name: where a hostile asset URL would reach the runner's own network.
 * Loopback is not among them: this machine is governed by the plain-http rule above.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
  if (METADATA_NAMES.has(host)) return true
  const family = isIP(host)
  if (family === 4) return isPrivateV4(host)
  if (family !== 6) return false
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)
  if (mapped) return isPrivateV4(mapped[1])
  const hextets = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
  if (hextets) {
    const high = parseInt(hextets[1], 16)
    const low = parseInt(hextets[2], 16)
    return isPrivateV4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`)
  }
  if (host === '::') return true
  const first = parseInt(host.split(':')[0] || '0', 16)
  // fc00::/7 (unique local, fd00:ec2::254 among them) and fe80::/10 (link-local).
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80
}

const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal'
])

function isPrivateV4(host: string): boolean {
  const [a, b] = host.split('.').map(Number)
  return (
    a === 0 ||
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  )
}
