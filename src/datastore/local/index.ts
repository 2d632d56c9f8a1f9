/**
 * Entry point of the local backend, loaded lazily by src/datastore/factory.ts so that commands
 * which never touch the datastore do not pay for loading SQLite.
 */
import type {DatastoreConfig} from '../config.js'
import {DatastoreError} from '../datastore.js'
import {LocalDatastore} from './store.js'

export {LocalDatastore} from './store.js'
export {DB_FILE_NAME} from './schema.js'

/**
 * Opens the store in `config.localDir` (created with mode 0700 if missing). The default directory
 * (~/.calico/datastore, CALICO_DATASTORE_DIR) is resolved by config loading, not here, so this
 * requires an explicit directory.
 */
export function openLocalDatastore(config: DatastoreConfig): LocalDatastore {
  if (config.localDir === undefined || config.localDir === '') {
    throw new DatastoreError('local datastore: no directory configured (localDir is empty)')
  }
  return LocalDatastore.open(config.localDir)
}
