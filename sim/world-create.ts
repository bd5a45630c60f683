/**
 * What the simulated World gateway checks in a creation, as the OpenAPI spec states it
 * (CreateWorldRequest, GenerateWorldRequest): required fields, the types, the extension of each
 * URL matching its type, at least 20 images when there are images, at most one image for a
 * generation. Pure: a body in, the problems out.
 */
const EXTENSIONS: Record<string, readonly string[]> = {
  image: ['.jpg', '.jpeg', '.png', '.webp'],
  video: ['.mp4', '.mov'],
  insv: ['.insv']
}

function extensionOf(url: string): string {
  const pathname = (() => {
    try {
      return new URL(url).pathname
    } catch {
      return url
    }
  })()
  const dot = pathname.lastIndexOf('.')
  return dot === -1 ? '' : pathname.slice(dot).toLowerCase()
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkCommon(body: Record<string, unknown>, problems: string[]): void {
  if (body.name !== undefined && typeof body.name !== 'string')
    problems.push('name must be a string')
  if (body.cover !== undefined && typeof body.cover !== 'string')
    problems.push('cover must be a string')
}

/** Problems of a `POST /reconstructions` body; empty when the spec accepts it. */
export function reconstructionProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the body must be a CreateWorldRequest object']
  const problems: string[] = []
  checkCommon(body, problems)
  if (!['low', 'normal', 'high'].includes(body.taskQuality as string)) {
    problems.push('taskQuality must be low, normal or high')
  }
  if (!['model', 'space'].includes(body.scene as string))
    problems.push('scene must be model or space')
  if (body.useMask !== undefined && typeof body.useMask !== 'boolean') {
    problems.push('useMask must be a boolean')
  }
  if (!Array.isArray(body.resources) || body.resources.length === 0) {
    problems.push('resources must hold at least 1 item')
    return problems
  }
  let images = 0
  for (const [index, item] of body.resources.entries()) {
    if (!isObject(item) || typeof item.url !== 'string' || item.url === '') {
      problems.push(`resources[${index}].url is required`)
      continue
    }
    const type = item.type ?? 'image'
    if (typeof type !== 'string' || !(type in EXTENSIONS)) {
      problems.push(`resources[${index}].type must be image, video or insv`)
      continue
    }
    if (!EXTENSIONS[type].includes(extensionOf(item.url))) {
      problems.push(`resources[${index}].url does not end in an extension of type ${type}`)
    }
    if (type === 'image') images++
  }
  if (images > 0 && images < 20) problems.push(`at least 20 images are required; got ${images}`)
  return problems
}

/** Problems of a `POST /generations` body; empty when the spec accepts it. */
export function generationProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the body must be a GenerateWorldRequest object']
  const problems: string[] = []
  checkCommon(body, problems)
  const prompt = typeof body.prompt === 'string' && body.prompt !== '' ? body.prompt : undefined
  if (body.prompt !== undefined && typeof body.prompt !== 'string')
    problems.push('prompt must be a string')
  const resources = body.resources
  if (resources !== undefined && !Array.isArray(resources))
    problems.push('resources must be an array')
  const list = Array.isArray(resources) ? resources : []
  if (list.length > 1) problems.push('resources may hold at most 1 image')
  for (const [index, item] of list.entries()) {
    if (!isObject(item) || typeof item.url !== 'string') {
      problems.push(`resources[${index}].url is required`)
    } else if (
      (item.type ?? 'image') !== 'image' ||
      !EXTENSIONS.image.includes(extensionOf(item.url))
    ) {
      problems.push(`resources[${index}] must be an image (.jpg, .jpeg, .png, .webp)`)
    }
  }
  if (!prompt && list.length === 0) problems.push('a prompt or an image is required')
  return problems
}
