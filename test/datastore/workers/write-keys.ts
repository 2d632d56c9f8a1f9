/**
 * Worker: creates <count> keys `<prefix><i>` (i zero-padded to 6 digits), one write each, with
 * value {"i": i, "t": Date.now() just before the write}, pausing <intervalMs> between writes.
 * Prints `done` and exits 0.
 */
import {openFromArgs, runWorker} from './common.js'

runWorker(async () => {
  const {ds, args} = await openFromArgs()
  const [prefix, countText, intervalText = '0'] = args
  const count = Number(countText)
  const interval = Number(intervalText)
  for (let i = 0; i < count; i++) {
    if (interval > 0) await new Promise((resolve) => setTimeout(resolve, interval))
    await ds.create(`${prefix}${String(i).padStart(6, '0')}`, JSON.stringify({i, t: Date.now()}))
  }
  await ds.close()
  console.log('done')
})
