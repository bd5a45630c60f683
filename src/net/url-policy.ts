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
 * from this machine. `allowInsecureHosts` is for tests that reach a local server by a name a
 * proxy does not bypass; it is never set from user input.
 */
export function refuseUrl(
  url: URL,
  allowInsecureHosts: readonly string[] = []
): string | undefined {
  if (url.protocol === 'https:') return undefined
  const host = url.hostname.toLowerCase()
  if (url.protocol === 'http:' && (isLoopbackHost(host) || allowInsecureHosts.includes(host))) {
    return undefined
  }
  return `only https: URLs are downloaded (plain http only from this machine); got ${redactUrl(url)}`
}

/** Where a redirect from `from` leads (relative Locations included), or why it is not followed. */
export function redirectTarget(
  from: URL,
  location: string | undefined,
  allowInsecureHosts?: readonly string[]
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
  const refusal = refuseUrl(next, allowInsecureHosts)
  return refusal ? { refusal: `refused a redirect: ${refusal}` } : { next }
}
