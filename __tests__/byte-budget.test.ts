import { describe, expect, it } from '@jest/globals'
import { byteLength, cutUtf8, fitLines } from '../src/report/byte-budget.js'

describe('cutUtf8', () => {
  it('keeps text within the budget as it is', () => {
    expect(cutUtf8('abc', 3)).toBe('abc')
    expect(cutUtf8('', 0)).toBe('')
  })

  it('cuts between code points, never inside one, at the longest start that fits', () => {
    // ✅ is 3 bytes; 🚀 is 4 bytes and two UTF-16 units.
    expect(cutUtf8('✅✅✅', 8)).toBe('✅✅')
    expect(cutUtf8('a🚀b', 4)).toBe('a')
    expect(cutUtf8('a🚀b', 5)).toBe('a🚀')
    for (let max = 0; max <= 20; max++) {
      const cut = cutUtf8('é✅🚀x'.repeat(3), max)
      expect(byteLength(cut)).toBeLessThanOrEqual(max)
      expect(cut).not.toMatch(/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u)
      expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut)
    }
  })

  it('gives nothing for a budget of zero or less', () => {
    expect(cutUtf8('abc', 0)).toBe('')
    expect(cutUtf8('abc', -5)).toBe('')
  })
})

describe('fitLines', () => {
  const note = (omitted: number): string => `\n… and ${omitted} more`

  it('joins the lines when they fit', () => {
    expect(fitLines(['a', 'b'], 3, note)).toBe('a\nb')
  })

  it('keeps whole lines and ends with how many were left out, within the budget', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`)
    for (const budget of [30, 100, 333, 600]) {
      const fitted = fitLines(lines, budget, note)
      expect(byteLength(fitted)).toBeLessThanOrEqual(budget)
      const [kept, tail] = fitted.split('\n… ')
      const keptLines = kept.split('\n')
      expect(keptLines).toEqual(lines.slice(0, keptLines.length))
      expect(tail).toBe(`and ${100 - keptLines.length} more`)
    }
  })

  it('uses the room the note leaves: nothing that would fit is dropped', () => {
    const lines = Array.from({ length: 10 }, () => 'xxxx')
    // Room is kept for the longest note, '\n… and 10 more' (16 bytes: '…' is 3).
    expect(fitLines(lines, 30, note)).toBe('xxxx\nxxxx\nxxxx\n… and 7 more')
    expect(fitLines(lines, 29, note)).toBe('xxxx\nxxxx\n… and 8 more')
  })

  it('cuts a first line too long to keep whole at a code point, and counts it as left out', () => {
    const fitted = fitLines(['✅'.repeat(100), 'next'], 50, note)
    expect(byteLength(fitted)).toBeLessThanOrEqual(50)
    expect(fitted).toMatch(/^✅+\n… and 2 more$/)
  })

  it('gives as much of the note as fits when not even the note fits', () => {
    expect(fitLines(['a'.repeat(20)], 5, note)).toBe('\n… ')
  })
})
