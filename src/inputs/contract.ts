/** action.yml's inputs as the code knows them; drift tests hold the two together. */

/** Every input of action.yml, by name: the single list that the code, action.yml and README share. */
export const INPUT_NAMES = [
  'task-ids',
  'provider',
  'api-key',
  'region',
  'app-key',
  'app-secret',
  'app-uid',
  'api-url',
  'poll-interval',
  'timeout',
  'fail-on',
  'download',
  'download-dir',
  'download-connections',
  'upload-artifact',
  'artifact-name',
  'retention-days',
  'compression-level',
  'cache',
  'max-gaussians',
  'max-triangles',
  'max-file-size',
  'github-token',
  'check-name'
] as const

export type InputName = (typeof INPUT_NAMES)[number]

/** Inputs whose values are never printed, in messages or logs; masked at once. */
export const SECRET_INPUTS: readonly InputName[] = ['app-secret', 'api-key', 'github-token']

export const DEFAULTS = {
  provider: 'auto',
  region: 'cn',
  'poll-interval': '10s',
  timeout: '30m',
  'fail-on': 'any',
  download: 'none',
  'download-dir': 'aholo-assets',
  'download-connections': '4',
  'upload-artifact': 'false',
  'artifact-name': 'aholo-assets',
  cache: 'auto',
  'check-name': 'Aholo 3D tasks'
} as const satisfies Partial<Record<InputName, string>>
