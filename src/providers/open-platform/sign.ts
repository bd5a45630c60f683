import { createHash } from 'node:crypto'

export interface Credentials {
  appKey: string
  appSecret: string
  appUid: string
}

/** Kujiale open platform, user-level signature: md5(appSecret + appKey + appUid + timestamp), hex. */
export function sign(credentials: Credentials, timestampMs: number): string {
  const { appSecret, appKey, appUid } = credentials
  return createHash('md5')
    .update(`${appSecret}${appKey}${appUid}${timestampMs}`, 'utf8')
    .digest('hex')
}
