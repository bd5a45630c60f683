import { checkExactSize, type FileRanges } from './file-ranges.js'
import { fail, type AssetInfo } from './result.js'
import { notTheFormat, SNIFF_BYTES, startsWith } from './sniff.js'
import { readWebpHeader } from './webp.js'

/**
 * Checks an image (a preview or view the service renders): PNG, JPEG or WebP by signature, with
 * its dimensions, and the end each format marks so that a file cut short is found. PNG: the IHDR
 * chunk first, the IEND chunk last. JPEG: the segments up to the frame header (SOFn) that gives
 * the size, and the EOI marker last. WebP: the RIFF size equal to the file's.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82])
const JPEG_SOI = [0xff, 0xd8, 0xff]
/** JPEG markers without a length: TEM, RST0-7. */
const STANDALONE = (marker: number): boolean =>
  marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)
/** Start-of-frame markers: C0-CF but DHT (C4), JPG (C8) and DAC (CC). */
const isFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

export async function verifyImage(file: FileRanges): Promise<AssetInfo> {
  const head = await file.read(0, SNIFF_BYTES)
  if (startsWith(head, PNG_SIGNATURE)) return verifyPng(file, head)
  if (startsWith(head, JPEG_SOI)) return verifyJpeg(file)
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    const webp = readWebpHeader(head, 'the image')
    checkExactSize(file.size, webp.riffBytes, 'the WebP RIFF header', true)
    return image('webp', webp.width, webp.height)
  }
  notTheFormat(head, file.size, 'PNG, JPEG or WebP', 'by its signature')
}

async function verifyPng(file: FileRanges, head: Buffer): Promise<AssetInfo> {
  if (head.length < 33 || head.toString('latin1', 12, 16) !== 'IHDR') {
    fail('a damaged PNG: its first chunk is not IHDR')
  }
  const end = await file.read(file.size - PNG_IEND.length, PNG_IEND.length)
  if (!end.equals(PNG_IEND)) {
    fail(`truncated: a PNG ends with its IEND chunk, and this one (${file.size} bytes) does not`)
  }
  return image('png', head.readUInt32BE(16), head.readUInt32BE(20))
}

async function verifyJpeg(file: FileRanges): Promise<AssetInfo> {
  const eoi = await file.read(file.size - 2, 2)
  if (eoi[0] !== 0xff || eoi[1] !== 0xd9) {
    fail(
      `truncated: a JPEG ends with its EOI marker (FF D9), and this one (${file.size} bytes) does not`
    )
  }
  for (let at = 2; at + 4 <= file.size;) {
    const segment = await file.read(at, 9)
    if (segment[0] !== 0xff) fail(`a damaged JPEG: no marker at byte ${at}`)
    const marker = segment[1]
    if (marker === 0xff) {
      at += 1 // fill bytes before a marker
      continue
    }
    if (STANDALONE(marker)) {
      at += 2
      continue
    }
    if (marker === 0xd9 || marker === 0xda) break // the image ends, or its data starts, before a frame
    if (isFrame(marker)) {
      if (segment.length < 9) fail(`a damaged JPEG: its frame header is cut off at byte ${at}`)
      return image('jpeg', segment.readUInt16BE(7), segment.readUInt16BE(5))
    }
    at += 2 + segment.readUInt16BE(2)
  }
  fail('a damaged JPEG: no frame header (SOFn) gives its size')
}

function image(version: string, width: number, height: number): AssetInfo {
  if (width === 0 || height === 0) fail(`a ${version.toUpperCase()} of ${width}×${height} pixels`)
  return { format: 'image', version, width, height }
}
