/**
 * Worker process for the IPAM concurrency tests and bench: opens the datastore named by the JSON
 * config in argv[2] and allocates argv[3] addresses one request at a time for host argv[4], each
 * under its own handle `<argv[5]>-<n>`, as a long-lived caching client when argv[6] is "cache"
 * (else reading afresh per request). Waits for a "go" line on stdin so all workers start
 * together, then prints one JSON line: {ips, ms, errors}.
 */
import {createInterface} from 'node:readline'

import type {DatastoreConfig} from '../../../src/datastore/config.js'
import {createDatastore} from '../../../src/datastore/factory.js'
import {IPAMClient} from '../../../src/ipam/index.js'

const [configJSON, countText, host, prefix, mode] = process.argv.slice(2)
const ds = await createDatastore(JSON.parse(configJSON) as DatastoreConfig)
const ipam = new IPAMClient(ds, {cache: mode === 'cache'})
process.stdout.write('ready\n')
await new Promise<void>((resolve) => createInterface({input: process.stdin}).once('line', () => resolve()))
const ips: string[] = []
const errors: string[] = []
const start = performance.now()
for (let n = 0; n < Number(countText); n++) {
  try {
    const result = await ipam.assign({host, handleId: `${prefix}-${n}`, num4: 1, attrs: {namespace: 'load', pod: `${prefix}-${n}`}})
    ips.push(...result.v4.map((ip) => ip.address))
  } catch (error) {
    errors.push((error as Error).message)
  }
}
const ms = performance.now() - start
process.stdout.write(`${JSON.stringify({ips, ms, errors})}\n`)
await ipam.close()
await ds.close()
