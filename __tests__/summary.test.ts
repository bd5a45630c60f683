import type { TaskState } from '../src/domain/task-state.js'
import type { TaskResult } from '../src/report/outputs.js'
import { renderSummary, SUMMARY_BUDGET_BYTES } from '../src/report/summary.js'
import { formatBytes } from '../src/units.js'

function result(taskId: string, state: TaskState, withUrls = state === 'succeeded'): TaskResult {
  const url = (ext: string): string | null =>
    withUrls ? `https://cdn.example.com/${taskId}/point_cloud.${ext}?sig=abc` : null
  return {
    taskId,
    status: 3,
    state,
    plyPath: url('ply'),
    spzPath: url('spz'),
    sogPath: url('sog'),
    assets: (['ply', 'spz', 'sog'] as const).flatMap(format => {
      const link = url(format)
      return link ? [{ format, url: link }] : []
    }),
    files: []
  }
}

describe('renderSummary', () => {
  it('renders a heading, counts and one row per task with links', () => {
    const markdown = renderSummary({
      title: 'Aholo 3D tasks',
      state: 'succeeded',
      results: [result('A1', 'succeeded')],
      finishedAfterMs: new Map([['A1', 125_000]]),
      elapsedMs: 130_000
    })
    expect(markdown).toContain('## Aholo 3D tasks: ✅ all tasks succeeded')
    expect(markdown).toContain('1 task · 1 succeeded · 0 failed · 0 unfinished · waited 2m 10s')
    expect(markdown).toContain(
      '| `A1` | ✅ succeeded | 2m 5s | [PLY](https://cdn.example.com/A1/point_cloud.ply?sig=abc) · [SPZ](https://cdn.example.com/A1/point_cloud.spz?sig=abc) · [SOG](https://cdn.example.com/A1/point_cloud.sog?sig=abc) |'
    )
  })

  it('lists the tasks that did not succeed first', () => {
    const markdown = renderSummary({
      title: 'T',
      state: 'failed',
      results: [result('OK1', 'succeeded'), result('BAD', 'failed'), result('WAIT', 'running')],
      finishedAfterMs: new Map(),
      elapsedMs: 1000,
      note: 'Not every task succeeded.'
    })
    const rows = markdown.split('\n').filter(line => line.startsWith('| `'))
    expect(rows.map(row => row.split('`')[1])).toEqual(['BAD', 'WAIT', 'OK1'])
    expect(rows[1]).toContain('| — |')
    expect(markdown).toContain('Not every task succeeded.')
  })

  it('shows file sizes and splat counts of downloaded files', () => {
    const withFile: TaskResult = {
      ...result('A1', 'succeeded'),
      files: [
        {
          format: 'spz',
          path: '/w/A1/x.spz',
          bytes: 43_408,
          sha256: 'ab',
          gaussians: 1000,
          version: 'spz-v3',
          shDegree: 3
        }
      ]
    }
    const markdown = renderSummary({
      title: 'T',
      state: 'succeeded',
      results: [withFile],
      finishedAfterMs: new Map(),
      elapsedMs: 0
    })
    expect(markdown).toContain(
      '[SPZ](https://cdn.example.com/A1/point_cloud.spz?sig=abc) (42 KiB, 1,000 splats)'
    )
  })

  it('escapes characters that would break a link or a table', () => {
    const oddUrl = 'https://x.com/a (1)|b.ply'
    const odd: TaskResult = {
      ...result('A1', 'succeeded'),
      plyPath: oddUrl,
      assets: [{ format: 'ply', url: oddUrl }]
    }
    const markdown = renderSummary({
      title: 'T',
      state: 'succeeded',
      results: [odd],
      finishedAfterMs: new Map(),
      elapsedMs: 0
    })
    expect(markdown).toContain('[PLY](https://x.com/a%20%281%29%7Cb.ply)')
  })

  it('stays under the 1 MiB limit with thousands of tasks, failures first, and says what it left out', () => {
    const results = Array.from({ length: 40_000 }, (_, i) =>
      result(`TASK${String(i).padStart(6, '0')}`, i % 1000 === 999 ? 'failed' : 'succeeded')
    )
    const markdown = renderSummary({
      title: 'T',
      state: 'failed',
      results,
      finishedAfterMs: new Map(),
      elapsedMs: 0
    })
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES)
    const rows = markdown.split('\n').filter(line => line.startsWith('| `'))
    expect(rows.slice(0, 20).every(row => row.includes('❌ failed'))).toBe(true)
    expect(markdown).toContain('every URL is in the `results` output')
    expect(rows.length).toBeLessThan(40_000)
    expect(markdown).toMatch(
      new RegExp(`${40_000 - rows.length} more tasks \\(succeeded ones first\\) left out`)
    )
  })

  it('keeps a small table whole, links included', () => {
    const results = Array.from({ length: 300 }, (_, i) => result(`T${i}`, 'succeeded'))
    const markdown = renderSummary({
      title: 'T',
      state: 'succeeded',
      results,
      finishedAfterMs: new Map(),
      elapsedMs: 0
    })
    expect(markdown.split('\n').filter(line => line.startsWith('| `'))).toHaveLength(300)
    expect(markdown).not.toContain('left out')
  })
})

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(68_414)).toBe('67 KiB')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB')
  })
})

describe('server text in the summary is text', () => {
  const hostile =
    'boom <a href="https://evil.example">x</a> <img src="https://evil.example/p.gif"> <h1>big</h1> [click](https://evil.example) ![i](https://evil.example/i.png)'

  it('escapes HTML and neutralises link syntax in the note and budget messages', () => {
    const withFile: TaskResult = {
      ...result('A1', 'succeeded'),
      files: [
        {
          format: 'ply',
          path: '/w/A1.ply',
          bytes: 10,
          sha256: 'a'.repeat(64),
          gaussians: 1,
          version: 'binary_little_endian',
          overBudget: hostile
        }
      ]
    }
    const markdown = renderSummary({
      title: 'T <b>',
      state: 'failed',
      results: [withFile],
      finishedAfterMs: new Map(),
      elapsedMs: 0,
      note: hostile
    })
    for (const raw of ['<a ', '<img src="https://evil', '<h1>', '[click](', '![i](', '<b>']) {
      expect(markdown).not.toContain(raw)
    }
    expect(markdown).toContain('&lt;h1&gt;big&lt;/h1&gt;')
    expect(markdown).toContain('\\[click\\](https://evil.example)')
    expect(markdown).toContain('## T &lt;b&gt;:')
  })

  it.each(['javascript:alert(1)', 'data:text/html,<script>x</script>', 'http://cdn.example/a.ply'])(
    'makes no link or image from %s',
    url => {
      const markdown = renderSummary({
        title: 'T',
        state: 'succeeded',
        results: [{ ...result('A1', 'succeeded'), cover: url, assets: [{ format: 'ply', url }] }],
        finishedAfterMs: new Map(),
        elapsedMs: 0
      })
      const row = markdown.split('\n').find(line => line.startsWith('| '))!
      expect(markdown).not.toContain(url)
      expect(markdown).not.toContain('<img')
      expect(markdown).toMatch(/\| PLY \|$/m)
      expect(row).toBeDefined()
    }
  )
})

describe('a run the API refused', () => {
  it('says the API refused the credentials, and marks the unseen tasks not checked', () => {
    const unseen: TaskResult = { ...result('A1', 'not-found'), status: null }
    const markdown = renderSummary({
      title: 'T',
      state: 'failed',
      setupRefused: true,
      results: [unseen],
      finishedAfterMs: new Map(),
      elapsedMs: 0,
      note: 'The Aholo World gateway refused the API key'
    })
    expect(markdown).toContain('## T: ⛔ the API refused the credentials')
    expect(markdown).toContain('| `A1` | ➖ not checked | — | — |')
    expect(markdown).not.toContain('not-found')
    expect(markdown).not.toContain('not every task succeeded')
  })
})
