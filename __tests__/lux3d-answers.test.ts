import { Fault } from '../src/net/retry.js'
import {
  describeAnswer,
  interpretList,
  interpretTask,
  Lux3dApiError,
  Lux3dResponseError
} from '../src/providers/lux3d/envelope.js'
import { parseWithExactIds } from '../src/providers/lux3d/exact-ids.js'
import { formatOfUrl, linksOfOutputs } from '../src/providers/lux3d/outputs.js'

describe('the format of a URL, from its file name', () => {
  it.each([
    ['https://cos.example.com/lux3d/1/result.zip?sign=x', 'zip'],
    ['https://cos.example.com/lux3d/1/result.glb', 'glb'],
    ['https://cos.example.com/lux3d/1/result.usdz', 'usdz'],
    ['https://cos.example.com/lux3d/1/result_obj.zip', 'obj'],
    ['https://cos.example.com/lux3d/1/result_fbx.zip', 'fbx'],
    ['https://cos.example.com/lux3d/1/rigged.fbx', 'fbx'],
    ['https://cos.example.com/lux3d/1/print.stl', 'stl'],
    ['https://cos.example.com/lux3d/1/print.3mf', '3mf'],
    ['https://cos.example.com/lux3d/1/gaussian.ply', 'ply'],
    ['https://cos.example.com/lux3d/1/front.png', 'image'],
    ['https://cos.example.com/lux3d/1/front.JPG', 'image'],
    ['https://cos.example.com/lux3d/1/front.jpeg', 'image'],
    ['https://cos.example.com/lux3d/1/front.webp', 'image'],
    ['https://cos.example.com/lux3d/1/MODEL%20ONE.GLB', 'glb'],
    ['https://cos.example.com/lux3d/1/readme.txt', 'other'],
    ['https://cos.example.com/lux3d/1/result.glb/', 'other'],
    ['https://cos.example.com/a.glb.json', 'other'],
    ['ftp://cos.example.com/a.glb', 'other'],
    ['result.glb', 'other']
  ])('%s is %s', (url, format) => {
    expect(formatOfUrl(url)).toBe(format)
  })

  it('spreads a four-view array into four images, and skips empty slots', () => {
    const views = ['a', 'b', 'c', 'd'].map(v => `https://x.example/${v}.png`)
    expect(
      linksOfOutputs([
        { content: JSON.stringify(views) },
        { content: 'NOT_REQUESTED' },
        { content: null },
        { content: ' ' },
        {},
        'junk',
        { content: '[not json' }
      ])
    ).toEqual([
      ...views.map(url => ({ format: 'image', url })),
      { format: 'other', url: '[not json' }
    ])
    expect(linksOfOutputs(undefined)).toEqual([])
  })
})

describe('ids beyond 2^53', () => {
  it('keeps every digit of a taskId, at any depth, and nothing else changes', () => {
    const text =
      '{"c":"0","m":"say \\"taskId\\": 1","d":{"taskId":9223372036854775807,"status":1,"n":9007199254740993,' +
      '"items":[{"taskId" : 9007199254740993},{"taskId":1.5},{"taskId":"12"}]}}'
    expect(parseWithExactIds(text)).toEqual({
      c: '0',
      m: 'say "taskId": 1',
      d: {
        taskId: '9223372036854775807',
        status: 1,
        n: 9007199254740992,
        items: [{ taskId: '9007199254740993' }, { taskId: 1.5 }, { taskId: '12' }]
      }
    })
  })
})

describe('answers', () => {
  const ok = (d: unknown): { status: number; body: string } => ({
    status: 200,
    body: JSON.stringify({ c: '0', m: '', d, f: null })
  })

  it('reads a task, and takes d null or a 404 (any body) as not-found', () => {
    expect(interpretTask(ok({ taskId: 5, status: 1, outputs: [] }), '5', 'cn')).toEqual({
      taskId: '5',
      status: 1,
      outputs: []
    })
    expect(interpretTask(ok(null), '5', 'cn')).toBe('not-found')
    expect(interpretTask({ status: 404, body: '<html>gone</html>' }, '5', 'cn')).toBe('not-found')
  })

  it('retries a d that is not a task', () => {
    expect(() => interpretTask(ok({ status: 1 }), '5', 'cn')).toThrow(Fault)
    expect(() => interpretTask(ok({ taskId: 5, status: '1' }), '5', 'cn')).toThrow(Fault)
  })

  it('reads a refusal whichever body it carries', () => {
    const envelope = JSON.stringify({ c: 'FORBIDDEN', m: 'no access' })
    expect(describeAnswer(403, JSON.parse(envelope))).toBe('HTTP 403 (c FORBIDDEN: no access)')
    expect(() => interpretTask({ status: 403, body: envelope }, '5', 'cn')).toThrow(Lux3dApiError)
    const apiError = { code: 403, message: 'Permission denied', status: 'PERMISSION_DENIED' }
    expect(describeAnswer(403, apiError)).toBe('HTTP 403 PERMISSION_DENIED: Permission denied')
    expect(describeAnswer(400, undefined)).toBe('HTTP 400')
    expect(() => interpretTask({ status: 400, body: '' }, '5', 'cn')).toThrow(
      'The Aholo Lux3D API refused the request for task 5: HTTP 400'
    )
  })

  it('takes JSON without the envelope as a wrong api-url', () => {
    expect(() => interpretTask({ status: 200, body: '{"worldId":"x"}' }, '5', 'cn')).toThrow(
      Lux3dResponseError
    )
  })

  it('reads a page of the list, and whether more follow', () => {
    const body = (page: number, total: number) => ({
      status: 200,
      body: `{"c":"0","m":"","d":{"items":[{"taskId":9007199254740993,"status":0}],"total":${total},"page":${page},"pageSize":100}}`
    })
    expect(interpretList(body(1, 150), 'cn')).toEqual({
      page: 1,
      totalCount: 150,
      hasMore: true,
      tasks: [{ taskId: '9007199254740993', status: 0, outputs: undefined }]
    })
    expect(interpretList(body(2, 150), 'cn').hasMore).toBe(false)
  })
})
