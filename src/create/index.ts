/** The create action's entry (create/action.yml): signals and I/O only; the step is main.ts. */
import { coreActionIO } from '../action-io.js'
import { runEntry } from '../entry.js'
import type { CreateInputName } from '../inputs/create-contract.js'
import { run } from './main.js'

await runEntry(runtime => run(coreActionIO<CreateInputName>(), runtime))
