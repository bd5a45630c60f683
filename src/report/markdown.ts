/**
 * Text from servers and users, made safe to place in GitHub Markdown (the job summary, the
 * check run). GitHub renders inline HTML and link syntax there, so an error message could
 * otherwise show a tracking image, a heading or a link that points anywhere. Pure.
 */

/**
 * What could make server text a link, an image, code or a new table cell; a backslash makes each
 * a plain character. Emphasis is left alone: it cannot point anywhere, and escaping every `_`
 * would garble the URLs and file names that messages quote.
 */
const MARKDOWN_PUNCTUATION = /[\\`[\]|]/g

/** As plain text on one line: no HTML, no links or images, and no table cell breaks. */
export function markdownText(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(MARKDOWN_PUNCTUATION, ch => `\\${ch}`)
    .replace(/[&<>]/g, ch => HTML_ENTITIES[ch])
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/**
 * A link with a plain label, made only from an https URL: other schemes (`javascript:`,
 * `data:`, plain http) are shown as the label alone; the URL stays in the outputs.
 */
export function markdownLink(label: string, url: string): string {
  const safe = httpsUrl(url)
  return safe ? `[${markdownText(label)}](${safe})` : markdownText(label)
}

/** An inline image from an https URL, or nothing. */
export function markdownImage(url: string, height: number): string {
  const safe = httpsUrl(url)
  return safe ? `<img src="${safe}" alt="" height="${height}">` : ''
}

/**
 * The URL as the WHATWG parser writes it when it is https, with the characters that would end a
 * Markdown link destination or an HTML attribute percent-encoded; otherwise undefined.
 */
export function httpsUrl(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== 'https:') return undefined
  return parsed.href.replace(
    /[\s()<>"'|\\]/g,
    ch => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  )
}
