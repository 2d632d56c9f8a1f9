/** Shared start-up for worker processes: argv[2] is the DatastoreConfig as JSON. */
import type {DatastoreConfig} from '../../../src/datastore/config.js'
import type {Datastore} from '../../../src/datastore/datastore.js'
import {createDatastore} from '../../../src/datastore/factory.js'

export async function openFromArgs(): Promise<{ds: Datastore; args: string[]}> {
  const raw = process.argv[2]
  if (raw === undefined) throw new Error('usage: worker <config-json> [args...]')
  const config = JSON.parse(raw) as DatastoreConfig
  return {ds: await createDatastore(config), args: process.argv.slice(3)}
}

/** Runs a worker body; any failure is printed and exits 1 so the parent test sees it. */
export function runWorker(body: () => Promise<void>): void {
  body().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  })
}
