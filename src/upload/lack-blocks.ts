/**
 * Which blocks of a block upload still need sending, from the service's `lackBlocks`
 * (DESIGN.md §2d): 1-based numbers and inclusive ranges ("3", "72-423"); `null` or absent means
 * every block, `[]` none. Pure.
 */
import { ActionError } from '../errors.js'

/** The block numbers to send, ascending and without repeats; throws on what cannot be read. */
export function blocksToSend(lackBlocks: unknown, blockCount: number): number[] {
  if (lackBlocks === null || lackBlocks === undefined) {
    return Array.from({ length: blockCount }, (_, index) => index + 1)
  }
  if (!Array.isArray(lackBlocks)) throw unreadable(lackBlocks)
  const wanted = new Set<number>()
  for (const entry of lackBlocks) {
    // A number where a string is documented reads the same; anything else is not guessed at.
    const text = typeof entry === 'number' ? String(entry) : entry
    if (typeof text !== 'string') throw unreadable(lackBlocks)
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text)
    if (!match) throw unreadable(lackBlocks)
    const first = Number(match[1])
    const last = match[2] === undefined ? first : Number(match[2])
    if (first < 1 || last < first || last > blockCount) {
      throw new ActionError(
        `The upload service asked for blocks ${text} of a file of ${blockCount} block(s)`,
        'The service and this action disagree on the block size; run the step again.'
      )
    }
    for (let block = first; block <= last; block++) wanted.add(block)
  }
  return [...wanted].sort((a, b) => a - b)
}

function unreadable(value: unknown): ActionError {
  return new ActionError(
    `The upload service's lackBlocks is not a list of block numbers and ranges: ${JSON.stringify(value)?.slice(0, 200)}`
  )
}
