/** The process's own peak RSS in KiB (see peak-rss.mjs). */
export function peakRssKb(): number
