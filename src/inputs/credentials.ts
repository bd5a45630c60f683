/**
 * Which API the credentials pick (DESIGN.md §3): `api-key` for the Aholo World gateway, or all
 * three of `app-key`, `app-secret` and `app-uid` for the Kujiale open platform. Lux3D takes the
 * same key as World, so only `provider: lux3d` picks it.
 */
import type { Credentials } from '../providers/open-platform/sign.js'
import type { InputName } from './contract.js'
import { parseApiUrl, type Problems, singleToken } from './fields.js'

export const PROVIDERS = ['auto', 'world', 'lux3d', 'open-platform'] as const
export type ProviderChoice = (typeof PROVIDERS)[number]
export const REGIONS = ['cn', 'global'] as const
export type Region = (typeof REGIONS)[number]

export const OPEN_PLATFORM_ORIGIN = 'https://openapi.kujiale.com'

export type ApiChoice =
  | { kind: 'open-platform'; credentials: Credentials; apiUrl: URL }
  /** `apiUrl` undefined: the region's own gateway. */
  | { kind: 'world' | 'lux3d'; apiKey: string; region: Region; apiUrl: URL | undefined }

const OPEN_PLATFORM_INPUTS = ['app-key', 'app-secret', 'app-uid'] as const
const BOTH_WAYS =
  "Give either 'api-key' (the Aholo World gateway, the vendor's current API) or all three of 'app-key', 'app-secret' and 'app-uid' (the Kujiale open platform)"
const SECRET_HINT =
  "If it comes from a secret, check that the secret exists and is passed to this workflow (secrets are not passed to workflows run from forks, or to reusable workflows without 'secrets:')."

export function chooseApi(
  value: (name: InputName) => string,
  provider: ProviderChoice | undefined,
  region: Region | undefined,
  problems: Problems,
  notices: string[]
): ApiChoice | undefined {
  const hasKey = value('api-key') !== ''
  const given = OPEN_PLATFORM_INPUTS.filter(name => value(name) !== '')
  let kind: ApiChoice['kind']
  if (provider === 'world' || provider === 'lux3d' || provider === 'open-platform') {
    kind = provider
    const ignored = kind !== 'open-platform' ? given : hasKey ? ['api-key'] : []
    if (ignored.length > 0) {
      notices.push(
        `'provider' is ${kind}, so ${ignored.map(name => `'${name}'`).join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored.`
      )
    }
  } else if (provider === 'auto') {
    if (hasKey && given.length > 0) {
      problems.push(
        `${BOTH_WAYS}, not both: got 'api-key' and ${given.map(name => `'${name}'`).join(', ')}. To keep both secrets (say, with 'secrets: inherit'), set 'provider' to world or open-platform.`
      )
      return undefined
    }
    if (!hasKey && given.length === 0) {
      problems.push(`${BOTH_WAYS}: none is set. ${SECRET_HINT}`)
      return undefined
    }
    kind = hasKey ? 'world' : 'open-platform'
  } else {
    return undefined
  }

  const apiUrlText = value('api-url')
  if (kind === 'world' || kind === 'lux3d') {
    if (!hasKey) {
      problems.push(`'api-key' is required with 'provider: ${kind}' and is empty. ${SECRET_HINT}`)
      return undefined
    }
    const apiKey = singleToken('api-key', value('api-key'), problems)
    const apiUrl = apiUrlText
      ? parseApiUrl(apiUrlText, 'https://api.aholo3d.cn', problems)
      : undefined
    if (!region) return undefined
    return { kind, apiKey, region, apiUrl }
  }

  const missing = OPEN_PLATFORM_INPUTS.filter(name => value(name) === '')
  if (missing.length > 0) {
    problems.push(
      `The open platform needs all three of 'app-key', 'app-secret' and 'app-uid'; ${missing.map(name => `'${name}'`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} empty. ${provider === 'auto' ? `Or use 'api-key' for the Aholo World gateway. ` : ''}${SECRET_HINT}`
    )
    return undefined
  }
  const credentials: Credentials = {
    appKey: singleToken('app-key', value('app-key'), problems),
    appSecret: singleToken('app-secret', value('app-secret'), problems),
    appUid: singleToken('app-uid', value('app-uid'), problems)
  }
  const apiUrl = parseApiUrl(apiUrlText || OPEN_PLATFORM_ORIGIN, OPEN_PLATFORM_ORIGIN, problems)
  return apiUrl ? { kind, credentials, apiUrl } : undefined
}
