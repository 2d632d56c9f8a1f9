import type {DatastoreType} from './datastore.js'

/**
 * Everything needed to open a datastore; plain data so it can be handed to another process.
 * Field names follow the CalicoAPIConfig spec (reference calicoctl-cli.md §2.1) plus `localDir`.
 */
export interface DatastoreConfig {
  datastoreType: DatastoreType
  /** local backend: the store directory (default ~/.calico/datastore). */
  localDir?: string
  etcdEndpoints?: string
  etcdDiscoverySrv?: string
  etcdUsername?: string
  etcdPassword?: string
  etcdKeyFile?: string
  etcdCertFile?: string
  etcdCACertFile?: string
  etcdKey?: string
  etcdCert?: string
  etcdCACert?: string
  kubeconfig?: string
  kubeconfigInline?: string
  k8sAPIEndpoint?: string
  k8sKeyFile?: string
  k8sCertFile?: string
  k8sCAFile?: string
  k8sAPIToken?: string
  k8sInsecureSkipTLSVerify?: boolean
  k8sCurrentContext?: string
  calicoAPIGroup?: string
}
