/**
 * Worker: opens a watch, writes a key, waits for its event, closes the watch and the datastore,
 * and then simply returns. The process must exit by itself: closing has to release every timer
 * and handle. Prints `closed` just before returning.
 */
import {openFromArgs, runWorker} from './common.js'

runWorker(async () => {
  const {ds, args} = await openFromArgs()
  const [prefix] = args
  const start = await ds.revision()
  let resolveSeen: () => void = () => {}
  const seen = new Promise<void>((resolve) => {
    resolveSeen = resolve
  })
  const handle = ds.watch(prefix, start + 1, {
    onEvents: () => resolveSeen(),
    onError: (error) => {
      console.error(error)
      process.exitCode = 1
      resolveSeen()
    },
  })
  await ds.create(`${prefix}ping`, 'x')
  await seen
  await handle.close()
  await ds.close()
  console.log('closed')
})
