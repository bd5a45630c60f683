/**
 * Fitting text under a limit counted in UTF-8 bytes, as GitHub counts them: a check run's
 * `summary` and `text` (65535 bytes each) and the job summary (1 MiB). One helper for both, so
 * that every shortened text is cut the same way and says how much was left out.
 */

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** The longest start of `text` within `maxBytes`, cut between code points (never inside one). */
export function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return ''
  if (byteLength(text) <= maxBytes) return text
  let used = 0
  let end = 0
  for (const char of text) {
    const size = byteLength(char)
    if (used + size > maxBytes) break
    used += size
    end += char.length
  }
  return text.slice(0, end)
}

/** `text` when it fits in `maxBytes`; else its start within them, then how much was left out. */
export function cutWithNote(text: string, maxBytes: number, leftOutOf = ''): string {
  const bytes = byteLength(text)
  if (bytes <= maxBytes) return text
  const kept = cutUtf8(text, maxBytes)
  return `${kept}… (${bytes - byteLength(kept)} more bytes${leftOutOf} left out)`
}

/**
 * The lines joined by `\n` when they fit in `budgetBytes`; otherwise as many whole lines as fit,
 * followed by `note(omitted)`, all within the budget. The note carries its own separator (say
 * `\n\n… and 12 more`). When not even the first line fits whole, it is cut at a code point and
 * counted among the omitted ones.
 */
export function fitLines(
  lines: readonly string[],
  budgetBytes: number,
  note: (omitted: number) => string
): string {
  const whole = lines.join('\n')
  if (byteLength(whole) <= budgetBytes) return whole
  // The note's length grows with the count; the largest count bounds it.
  const room = budgetBytes - byteLength(note(lines.length))
  if (room < 0) return cutUtf8(note(lines.length), budgetBytes)
  let used = 0
  let kept = 0
  for (const line of lines) {
    const size = byteLength(line) + (kept > 0 ? 1 : 0)
    if (used + size > room) break
    used += size
    kept++
  }
  if (kept === 0) return cutUtf8(lines[0] ?? '', room) + note(lines.length)
  return lines.slice(0, kept).join('\n') + note(lines.length - kept)
}
