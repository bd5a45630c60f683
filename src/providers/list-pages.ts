/**
 * Reads the pages of one list of the account's in-progress tasks, for both gateway APIs: paced,
 * bounded by the tasks asked about (plan.ts), and ended by a page that repeats one already read
 * (a gateway that ignores the page number would otherwise answer the same page up to the bound).
 */
import type { Clock } from '../runtime.js'
import { LIST_PAGE_PACE_MS, wantsNextPage } from './plan.js'

export interface ListPage<T> {
  items: readonly T[]
  /** Absent when the service did not say. */
  totalCount?: number
  hasMore: boolean
}

export interface ListedTasks<T> {
  /** The asked tasks the pages showed. */
  listed: Map<string, T>
  /** What the service counted, else what the pages held. */
  totalCount: number
  pages: number
}

export async function readListPages<T>(options: {
  asked: ReadonlySet<string>
  idOf: (item: T) => string
  /** The page at `index`, from 0. */
  fetchPage: (index: number) => Promise<ListPage<T>>
  clock: Pick<Clock, 'sleep'>
  signal: AbortSignal
}): Promise<ListedTasks<T>> {
  const { asked, idOf } = options
  const listed = new Map<string, T>()
  const fingerprints = new Set<string>()
  let totalCount: number | undefined
  let seen = 0
  let pages = 0
  while (true) {
    if (pages > 0) await options.clock.sleep(LIST_PAGE_PACE_MS, options.signal)
    const page = await options.fetchPage(pages)
    pages++
    const fingerprint = page.items.map(idOf).join('\n')
    if (page.items.length > 0 && fingerprints.has(fingerprint)) break
    fingerprints.add(fingerprint)
    totalCount ??= page.totalCount
    seen += page.items.length
    for (const item of page.items) if (asked.has(idOf(item))) listed.set(idOf(item), item)
    const info = { totalCount: page.totalCount, hasMore: page.hasMore, size: page.items.length }
    if (!wantsNextPage(info, pages, asked.size, asked.size - listed.size)) break
  }
  return { listed, totalCount: totalCount ?? seen, pages }
}
