/** create/action.yml's inputs as the code knows them; drift tests hold the two together. */

/** Every input of create/action.yml, by name: the list the code, the action and the READMEs share. */
export const CREATE_INPUT_NAMES = [
  'job',
  'api-key',
  'region',
  'api-url',
  'timeout',
  'dry-run',
  'files',
  'urls',
  'group-by',
  'scene',
  'quality',
  'use-mask',
  'name',
  'cover',
  'prompt',
  'image',
  'images',
  'style',
  'version',
  'face-count',
  'output-format',
  'enable-pbr',
  'texture-size'
] as const

export type CreateInputName = (typeof CREATE_INPUT_NAMES)[number]

/** Inputs whose values are never printed; masked at once. */
export const CREATE_SECRET_INPUTS: readonly CreateInputName[] = ['api-key']

export const CREATE_DEFAULTS = {
  region: 'cn',
  timeout: '30m',
  'dry-run': 'false',
  'group-by': 'none',
  quality: 'normal',
  'use-mask': 'false',
  style: 'photorealistic',
  version: 'G1'
} as const satisfies Partial<Record<CreateInputName, string>>
