/**
 * Opens the datastore a configuration names. Each backend module is imported only when chosen,
 * so starting the CLI does not load SQLite, an etcd client or a Kubernetes client it will not use.
 */
import type {DatastoreConfig} from './config.js'
import type {Datastore} from './datastore.js'

export async function createDatastore(config: DatastoreConfig): Promise<Datastore> {
  const type = config.datastoreType
  switch (type) {
    case 'local': {
      const {openLocalDatastore} = await import('./local/index.js')
      return openLocalDatastore(config)
    }
    case 'etcdv3': {
      const {openEtcdDatastore} = await import('./etcd/index.js')
      return openEtcdDatastore(config)
    }
    case 'kubernetes':
      throw new Error(`datastore type ${type} is not supported yet`)
    default: {
      const unknownType: never = type
      throw new Error(`unknown datastore type ${String(unknownType)}`)
    }
  }
}
