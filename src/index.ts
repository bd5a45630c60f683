/** The wait action's entry (action.yml): signals and I/O only; the step is main.ts. */
import { coreActionIO } from './action-io.js'
import { runEntry } from './entry.js'
import { run } from './main.js'

await runEntry(runtime => run(coreActionIO(), runtime))
