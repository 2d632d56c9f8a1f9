/**
 * A prepare worker's entry: runs the jobs the pool (pool.ts) posts, one at a time, and posts
 * each one's entries back under its id. An exception (a bug, not bad input: bad input becomes
 * entries) is posted back as its text and fails the command.
 */
import {parentPort} from 'node:worker_threads'

import {runPrepareJob, type PrepareJob} from './job.js'

parentPort?.on('message', ({id, job}: {id: number; job: PrepareJob}) => {
  try {
    parentPort?.postMessage({id, entries: runPrepareJob(job)})
  } catch (error) {
    parentPort?.postMessage({id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error)})
  }
})
