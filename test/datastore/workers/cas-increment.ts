/**
 * Worker: read-modify-write increments of one counter key with compare-and-swap.
 * Args: <key> <count> <goKey>. Prints `ready`, waits until <goKey> exists (so that racing workers
 * really start together), then increments; retries on ConflictError; prints `done <conflicts>`.
 */
import {ConflictError} from '../../../src/datastore/datastore.js'
import {openFromArgs, runWorker} from './common.js'

runWorker(async () => {
  const {ds, args} = await openFromArgs()
  const [key, countText, goKey] = args
  const count = Number(countText)
  console.log('ready')
  while ((await ds.get(goKey)) === undefined) await new Promise((resolve) => setTimeout(resolve, 1))
  let conflicts = 0
  for (let done = 0; done < count; ) {
    const kv = await ds.get(key)
    if (kv === undefined) throw new Error(`counter ${key} is missing`)
    // Widen the read-modify-write window (about a millisecond) so the racers really interleave.
    await new Promise((resolve) => setTimeout(resolve, 0))
    try {
      await ds.update(key, String(Number(kv.value) + 1), kv.modRevision)
      done++
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error
      conflicts++
    }
  }
  await ds.close()
  console.log(`done ${conflicts}`)
})
