/**
 * `node --import ./__tests__/support/json-import-hook.mjs …`: lets `.json` files be imported
 * without `with { type: 'json' }`. @actions/workflow-parser imports its schemas that way, which
 * plain Node refuses (ERR_IMPORT_ATTRIBUTE_MISSING); bundlers and jest let it through.
 */
import { register } from 'node:module'
import { URL } from 'node:url'
import { isMainThread } from 'node:worker_threads'

export async function load(url, context, nextLoad) {
  if (new URL(url).pathname.endsWith('.json') && context.importAttributes?.type === undefined) {
    return nextLoad(url, {
      ...context,
      importAttributes: { ...context.importAttributes, type: 'json' }
    })
  }
  return nextLoad(url, context)
}

// Node runs loader hooks on a thread of its own and evaluates this module there again:
// registering from that thread too would chain the hook onto itself.
if (isMainThread) register(import.meta.url)
