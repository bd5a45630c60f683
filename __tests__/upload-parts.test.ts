import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { text } from 'node:stream/consumers'
import { blocksToSend } from '../src/upload/lack-blocks.js'
import { multipartBody } from '../src/upload/multipart.js'
import { parseForm } from '../sim/uploads.js'

describe('blocksToSend', () => {
  it('reads null and absent as every block, [] as none', () => {
    expect(blocksToSend(null, 3)).toEqual([1, 2, 3])
    expect(blocksToSend(undefined, 2)).toEqual([1, 2])
    expect(blocksToSend([], 5)).toEqual([])
  })

  it('reads numbers and inclusive ranges, in order and without repeats', () => {
    expect(blocksToSend(['3-5'], 6)).toEqual([3, 4, 5])
    expect(blocksToSend(['7', '1-2', '2', 4], 7)).toEqual([1, 2, 4, 7])
  })

  it('refuses what it cannot read, or blocks the file does not have', () => {
    expect(() => blocksToSend('3-5', 6)).toThrow('lackBlocks is not a list')
    expect(() => blocksToSend(['3-x'], 6)).toThrow('lackBlocks is not a list')
    expect(() => blocksToSend(['5-3'], 6)).toThrow('asked for blocks 5-3 of a file of 6 block(s)')
    expect(() => blocksToSend(['0'], 6)).toThrow('asked for blocks 0')
    expect(() => blocksToSend(['6-7'], 6)).toThrow('asked for blocks 6-7')
  })
})

describe('multipartBody', () => {
  let folder: string
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'aholo-multipart-'))
  })
  afterEach(() => rmSync(folder, { recursive: true, force: true }))

  it('streams the fields and a slice of the file, with an exact length, and again per try', async () => {
    const where = path.join(folder, 'f.bin')
    writeFileSync(where, '0123456789')
    const form = multipartBody([['block', '2']], 'file', 'a "b"\r\n.mp4', {
      path: where,
      start: 3,
      length: 4
    })
    for (let attempt = 0; attempt < 2; attempt++) {
      const body = Buffer.from(await text(form.open()), 'utf8')
      expect(body.length).toBe(Number(form.headers['Content-Length']))
      const boundary = /boundary=(.+)$/.exec(form.headers['Content-Type'])![1]
      const parts = parseForm(body, boundary)
      expect(parts.get('block')?.data.toString()).toBe('2')
      expect(parts.get('file')?.data.toString()).toBe('3456')
      expect(parts.get('file')?.filename).toBe('a "b"\r\n.mp4')
      expect(body.toString()).toContain('filename="a %22b%22%0D%0A.mp4"')
    }
  })

  it('fails the body when the file is shorter than it was', async () => {
    const where = path.join(folder, 'g.bin')
    writeFileSync(where, '0123')
    const form = multipartBody([], 'file', 'g.bin', { path: where, start: 0, length: 10 })
    await expect(text(form.open())).rejects.toThrow('changed while it was uploaded (4 of 10 bytes)')
  })
})
