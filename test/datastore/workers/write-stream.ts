/**
 * Worker: writes forever (until killed) under <prefix>: single creates/updates/deletes of a small
 * set of keys and batches of new keys, with values of varying size (up to ~64 KiB, so one write
 * spans many database pages) that carry a checksum of their body. Prints `progress <n>` every 20
 * writes so the parent knows it is mid-stream.
 */
import {createHash} from 'node:crypto'

import type {WriteOp} from '../../../src/datastore/datastore.js'
import {openFromArgs, runWorker} from './common.js'

function makeValue(seq: number): string {
  const size = 64 + ((seq * 7919) % 65_000)
  const body = String.fromCharCode(97 + (seq % 26)).repeat(size)
  return JSON.stringify({seq, body, sum: createHash('sha256').update(body).digest('hex')})
}

runWorker(async () => {
  const {ds, args} = await openFromArgs()
  const [prefix] = args
  for (let seq = 0; ; seq++) {
    if (seq % 20 === 0) console.log(`progress ${seq}`)
    const key = `${prefix}single/${seq % 16}`
    if (seq % 5 === 4) {
      const ops: WriteOp[] = []
      for (let j = 0; j < 25; j++) ops.push({op: 'create', key: `${prefix}batch/${seq}/${j}`, value: makeValue(seq + j)})
      await ds.batch(ops)
      continue
    }
    const current = await ds.get(key)
    if (current === undefined) await ds.create(key, makeValue(seq))
    else if (seq % 7 === 0) await ds.delete(key, current.modRevision)
    else await ds.update(key, makeValue(seq), current.modRevision)
  }
})
