/**
 * `npx tsx scripts/serve-sim.ts [url-file]`: the simulated Aholo service as a process of its own,
 * for the CI job that runs the action itself (`uses: ./`). It prints its URL and writes it to
 * `url-file` (or, without one, appends `url=<url>` to $GITHUB_OUTPUT when that is set), then
 * serves until SIGINT or SIGTERM, when it prints the requests it answered and exits.
 *
 * The tasks below are the self-test's script: each status timeline advances by one step every
 * time a request asks for the task, and the assets are real files from __fixtures__/splats.
 */
import { renameSync, appendFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { AholoSim, DEFAULT_CREDENTIALS, type TaskScript } from '../sim/open-platform.js'
import { DEFAULT_API_KEY, risingTimeline, WorldSim } from '../sim/world.js'

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '__fixtures__',
  'splats'
)

type Format = 'ply' | 'spz' | 'sog'

interface SelfTestTask extends TaskScript {
  /** The fixture served for each format the success result names. */
  files: Partial<Record<Format, string>>
}

/** Status codes: 0 queued, 1 waiting, 2 running, 8 preprocessing, 3 succeeded, 4 failed. */
export const SELF_TEST_TASKS: Record<string, SelfTestTask> = {
  'SIM-OK-1': {
    timeline: [0, 8, 2, 3],
    formats: ['ply', 'spz', 'sog'],
    files: { ply: 'ply/st_1k_sh3.ply', spz: 'spz/v4_1k_sh3.spz', sog: 'sog/bundled_1k_sh3.sog' }
  },
  'SIM-OK-2': {
    timeline: [1, 2, 3],
    formats: ['ply', 'spz'],
    files: { ply: 'ply/input_1k_sh0.ply', spz: 'spz/v3_1k_sh3.spz' }
  },
  'SIM-FAILS': { timeline: [0, 2, 4], files: {} }
}

/** Never scripted, so the service never returns it: it stays pending until the timeout. */
export const MISSING_TASK = 'SIM-MISSING'

export function scriptSelfTest(sim: AholoSim): AholoSim {
  for (const [taskId, task] of Object.entries(SELF_TEST_TASKS)) {
    sim.addTask(taskId, task)
    for (const [format, file] of Object.entries(task.files) as Array<[Format, string]>) {
      sim.addAsset(sim.assetPath(taskId, format), { kind: 'file', path: path.join(FIXTURES, file) })
    }
  }
  return sim
}

/** The World gateway's self-test: a world that rises to success in about a second and a half. */
export const SELF_TEST_WORLD = 'SIM-WORLD-1'

export function scriptWorldSelfTest(world: WorldSim): WorldSim {
  world.addWorld(SELF_TEST_WORLD, { timeline: risingTimeline(300), lod: true })
  world.addAsset(world.assetPath(SELF_TEST_WORLD, 'ply'), {
    kind: 'file',
    path: path.join(FIXTURES, 'ply/st_1k_sh3.ply')
  })
  world.addAsset(world.assetPath(SELF_TEST_WORLD, 'spz'), {
    kind: 'file',
    path: path.join(FIXTURES, 'spz/v4_1k_sh3.spz')
  })
  return world
}

/** Writes the whole line at once, so that a reader polling for the file never sees half. */
function publishUrl(name: string, url: string, urlFile: string | undefined): void {
  if (urlFile) {
    const file = name === 'url' ? urlFile : `${urlFile}-${name}`
    writeFileSync(`${file}.tmp`, `${url}\n`)
    renameSync(`${file}.tmp`, file)
  } else if (process.env.GITHUB_OUTPUT) {
    appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${url}\n`)
  }
}

async function main(urlFile: string | undefined): Promise<void> {
  const sim = await scriptSelfTest(new AholoSim()).start()
  const world = await new WorldSim().start()
  scriptWorldSelfTest(world)
  const { appKey, appUid } = DEFAULT_CREDENTIALS
  console.log(`Simulated open platform at ${sim.url} (app-key ${appKey}, app-uid ${appUid})`)
  console.log(
    `Tasks: ${[...Object.keys(SELF_TEST_TASKS), `${MISSING_TASK} (never returned)`].join(', ')}`
  )
  console.log(`Simulated World gateway at ${world.url} (api-key ${DEFAULT_API_KEY.slice(0, 8)}…)`)
  console.log(`Worlds: ${SELF_TEST_WORLD}`)
  // The World URL first: a reader waiting for the open platform's file then finds both.
  publishUrl('world-url', world.url, urlFile)
  publishUrl('url', sim.url, urlFile)

  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  for (const request of sim.requests) {
    const ids = request.ids ? ` [${request.ids.join(', ')}]` : ''
    console.log(
      `${new Date(request.at).toISOString()} ${request.method} ${request.path}${ids} → ${request.outcome}`
    )
  }
  await Promise.all([sim.close(), world.close()])
}

// Importing the module (the tests do) only gives the script; running it serves.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main(process.argv[2])
}
