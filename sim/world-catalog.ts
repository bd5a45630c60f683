/**
 * What the simulated World gateway's accounts hold: worlds with time-based timelines, and the
 * answers to "show me this world" and "list my worlds" as the OpenAPI spec shapes them. No HTTP.
 */
import { apiError } from './world-answers.js'

export const WORLD_PREFIXES = { cn: '/world/v1', global: '/global/world/v1' } as const
export type SimRegion = keyof typeof WORLD_PREFIXES
export const DEFAULT_ACCOUNT = 'main'
export const WORLD_STATUSES = [
  ...['PENDING', 'PREPROCESSING', 'RUNNING'],
  ...['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMEOUT', 'REJECTED']
]

/** From `at` ms after the world was added (on the sim's clock), it has this status. */
export interface WorldStep {
  at: number
  status: string
  progress?: number
}

export interface WorldScript {
  timeline: WorldStep[]
  /** Whose world it is (default the default key's account); another account's key gets 403. */
  account?: string
  /** Default cn: under the other region's prefix the world does not exist. */
  region?: SimRegion
  /** The first N GETs of it answer 404, and lists leave it out until then. */
  absentFor?: number
  /** The world's name (default `World <id>`). */
  name?: string
  /** Give `assets.splats.urls.lodMetaPath` and `assets.imagery.panoUrl` on success. */
  lod?: boolean
  pano?: boolean
  /** Fields a hostile or broken gateway sends, laid over the detail a GET answers. */
  detail?: Record<string, unknown>
  /** Give `assets.splats.urls.sogPath` on success, as newer gateways may. */
  sog?: boolean
}

export interface ListQuery {
  pageNum?: unknown
  pageSize?: unknown
  statusList?: unknown
}

interface Entry {
  script: WorldScript
  addedAt: number
  createTime: number
  gets: number
  seq: number
}

export type Answer = [status: number, body: unknown]

/** PENDING 0 → PREPROCESSING 0.1 → RUNNING 0.4 → RUNNING 0.7 → `final`, one step per `stepMs`. */
export function risingTimeline(stepMs: number, final = 'SUCCEEDED'): WorldStep[] {
  return [
    { at: 0, status: 'PENDING', progress: 0 },
    { at: stepMs, status: 'PREPROCESSING', progress: 0.1 },
    { at: 2 * stepMs, status: 'RUNNING', progress: 0.4 },
    { at: 3 * stepMs, status: 'RUNNING', progress: 0.7 },
    { at: 4 * stepMs, status: final, progress: final === 'SUCCEEDED' ? 1 : 0.7 }
  ]
}

export class WorldCatalog {
  private readonly worlds = new Map<string, Entry>()
  private seq = 0

  constructor(
    private readonly now: () => number,
    /** Where the sim serves files, known once it listens. */
    private readonly baseUrl: () => string
  ) {}

  add(worldId: string, script: WorldScript): void {
    const entry = { script, addedAt: this.now(), createTime: Date.now(), gets: 0, seq: this.seq++ }
    this.worlds.set(worldId, entry)
  }

  /** `count` worlds that nobody asks about, in `status` for good; their ids. */
  addOthers(count: number, options: Omit<WorldScript, 'timeline'> & { status?: string }): string[] {
    const ids = Array.from({ length: count }, (_, i) => `OTHER${this.seq}X${i}`)
    const timeline = [{ at: 0, status: options.status ?? 'RUNNING', progress: 0.5 }]
    ids.forEach(id => this.add(id, { ...options, timeline }))
    return ids
  }

  statusOf(worldId: string): string | undefined {
    const entry = this.worlds.get(worldId)
    return entry && this.stepOf(entry).status
  }

  /** `GET {prefix}/{worldId}` by `account` under `region`'s prefix. */
  get(worldId: string, account: string, region: SimRegion): Answer {
    const entry = this.worlds.get(worldId)
    if (entry) entry.gets++
    if (!entry || !this.visible(entry, region, entry.gets - 1)) {
      return [404, apiError(404, 'World not found')]
    }
    if ((entry.script.account ?? DEFAULT_ACCOUNT) !== account) {
      return [403, apiError(403, 'Permission denied to access this world')]
    }
    return [200, this.detail(worldId, entry, true)]
  }

  /** `POST {prefix}/list`: the account's worlds under `region`, newest first. */
  list(account: string, region: SimRegion, query: unknown, ignoreFilter: boolean): Answer {
    if (typeof query !== 'object' || query === null || Array.isArray(query)) {
      return [400, apiError(400, 'the request body must be a WorldListQueryRequest object')]
    }
    const { pageNum = 0, pageSize = 0, statusList = [] } = query as ListQuery
    if (!Number.isInteger(pageNum) || (pageNum as number) < 0) {
      return [400, apiError(400, 'pageNum must be an integer from 0')]
    }
    if (!Number.isInteger(pageSize) || (pageSize as number) < 0 || (pageSize as number) > 100) {
      return [400, apiError(400, 'pageSize must be an integer from 0 to 100')]
    }
    if (!Array.isArray(statusList) || statusList.some(s => !WORLD_STATUSES.includes(s as string))) {
      return [400, apiError(400, `statusList may hold only ${WORLD_STATUSES.join(', ')}`)]
    }
    const size = (pageSize as number) || 20
    const page = pageNum as number
    const matching = [...this.worlds]
      .filter(([, entry]) => {
        if ((entry.script.account ?? DEFAULT_ACCOUNT) !== account) return false
        if (!this.visible(entry, region, entry.gets)) return false
        const status = this.stepOf(entry).status
        return ignoreFilter || statusList.length === 0 || statusList.includes(status)
      })
      .sort(([, a], [, b]) => b.seq - a.seq)
    const result = matching.slice(page * size, (page + 1) * size)
    const body = {
      pageNum: page,
      pageSize: size,
      count: result.length,
      totalCount: matching.length,
      hasMore: (page + 1) * size < matching.length,
      result: result.map(([id, entry]) => this.detail(id, entry, false))
    }
    return [200, body]
  }

  /** Under this region, after `gets` earlier GETs of it. */
  private visible(entry: Entry, region: SimRegion, gets: number): boolean {
    return (entry.script.region ?? 'cn') === region && gets >= (entry.script.absentFor ?? 0)
  }

  private stepOf(entry: Entry): WorldStep {
    const elapsed = this.now() - entry.addedAt
    const { timeline } = entry.script
    return timeline.filter(step => step.at <= elapsed).at(-1) ?? timeline[0]
  }

  private detail(worldId: string, entry: Entry, withAssets: boolean): Record<string, unknown> {
    const { status, progress } = this.stepOf(entry)
    const base = `${this.baseUrl()}/assets/${worldId}`
    const detail: Record<string, unknown> = {
      worldId,
      name: entry.script.name ?? `World ${worldId}`,
      cover: `${this.baseUrl()}/covers/${worldId}.jpg`,
      scene: 'space',
      createTime: entry.createTime,
      updateTime: entry.createTime + Math.max(0, this.now() - entry.addedAt),
      status,
      progress: progress ?? (status === 'SUCCEEDED' ? 1 : 0)
    }
    // The list carries no assets (withResult=false); a GET of a finished world does.
    if (withAssets && status === 'SUCCEEDED') {
      const { lod, pano, sog } = entry.script
      detail.assets = {
        splats: {
          urls: {
            plyPath: `${base}/point_cloud.ply`,
            spzPath: `${base}/point_cloud.spz`,
            ...(sog ? { sogPath: `${base}/point_cloud.sog` } : {}),
            ...(lod ? { lodMetaPath: `${base}/lod-meta.json` } : {})
          }
        },
        ...(pano ? { imagery: { panoUrl: `${base}/pano.jpg` } } : {}),
        semanticsMetadata: { upAxis: 'Z' }
      }
    }
    return withAssets ? { ...detail, ...entry.script.detail } : detail
  }
}
