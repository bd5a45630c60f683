/**
 * Checks workflows and action.yml with GitHub's own parser (@actions/workflow-parser, the one
 * behind the Actions language service) and prints `{"<file>": ["<error>", …], …}` as JSON:
 *
 *   node --import tsx --import ./__tests__/support/json-import-hook.mjs \
 *     __tests__/support/github-parser.ts [--repository owner/name] FILE…
 *
 * It runs in a process of its own because the parser imports its JSON schemas without an import
 * attribute: Node needs the hook for that, and jest warns that it will soon refuse it.
 * A file named action.yml is checked as an action; anything else as a workflow. Calls of a
 * reusable workflow of `--repository` (or `./…`) are checked against the local copy of that
 * workflow, so a caller passing an input the workflow does not declare is an error.
 */
import { readFile } from 'node:fs/promises'
import * as path from 'node:path'
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import { convertActionTemplate } from '@actions/workflow-parser/actions/action-template'
import type { FileProvider } from '@actions/workflow-parser/workflows/file-provider'

async function check(file: string, provider: FileProvider): Promise<string[]> {
  const content = await readFile(file, 'utf8')
  const trace = new NoOperationTraceWriter()
  if (/^action\.ya?ml$/.test(path.basename(file))) {
    const parsed = parseAction({ name: file, content }, trace)
    if (parsed.value) convertActionTemplate(parsed.context, parsed.value)
    return parsed.context.errors.getErrors().map(error => error.message)
  }
  const parsed = parseWorkflow({ name: file, content }, trace)
  if (parsed.value) {
    await convertWorkflowTemplate(parsed.context, parsed.value, provider, {
      fetchReusableWorkflowDepth: 1
    })
  }
  return parsed.context.errors.getErrors().map(error => error.message)
}

/** Serves `./path` and `<repository>/path@ref` from the working tree; anything else is missing. */
function localProvider(repository: string | undefined): FileProvider {
  return {
    async getFileContent(ref) {
      if ('repository' in ref && `${ref.owner}/${ref.repository}` !== repository) {
        throw new Error(`Not in this repository: ${ref.owner}/${ref.repository}`)
      }
      return { name: ref.path, content: await readFile(ref.path, 'utf8') }
    }
  }
}

const args = process.argv.slice(2)
const repositoryAt = args.indexOf('--repository')
const repository = repositoryAt === -1 ? undefined : args.splice(repositoryAt, 2)[1]
const provider = localProvider(repository)
const report: Record<string, string[]> = {}
for (const file of args) report[file] = await check(file, provider)
process.stdout.write(`${JSON.stringify(report)}\n`)
