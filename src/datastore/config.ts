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

export const DEFAULT_CONFIG_PATH = '/etc/calico/calicoctl.cfg'
export const DEFAULT_LOCAL_DIR_NAME = '.calico/datastore'

/** A configuration problem; the message is what calicoctl prints. */
export class ConfigError extends Error {}

/** A `-c` file that does not exist: calicoctl prints this one bare, not as a client failure. */
export class MissingConfigFileError extends ConfigError {}

type Env = Readonly<Record<string, string | undefined>>

interface FieldSpec {
  field: keyof DatastoreConfig
  /** Unprefixed environment name; `CALICO_<name>` is read first (envconfig's prefix rule). */
  env?: string
  boolean?: boolean
}

/** The CalicoAPIConfig spec fields, in the order calicoctl documents them. */
const FIELDS: FieldSpec[] = [
  {field: 'datastoreType', env: 'DATASTORE_TYPE'},
  {field: 'localDir', env: 'DATASTORE_DIR'},
  {field: 'etcdEndpoints', env: 'ETCD_ENDPOINTS'},
  {field: 'etcdDiscoverySrv', env: 'ETCD_DISCOVERY_SRV'},
  {field: 'etcdUsername', env: 'ETCD_USERNAME'},
  {field: 'etcdPassword', env: 'ETCD_PASSWORD'},
  {field: 'etcdKeyFile', env: 'ETCD_KEY_FILE'},
  {field: 'etcdCertFile', env: 'ETCD_CERT_FILE'},
  {field: 'etcdCACertFile', env: 'ETCD_CA_CERT_FILE'},
  {field: 'etcdKey'},
  {field: 'etcdCert'},
  {field: 'etcdCACert'},
  {field: 'kubeconfig', env: 'KUBECONFIG'},
  {field: 'kubeconfigInline'},
  {field: 'k8sAPIEndpoint', env: 'K8S_API_ENDPOINT'},
  {field: 'k8sKeyFile', env: 'K8S_KEY_FILE'},
  {field: 'k8sCertFile', env: 'K8S_CERT_FILE'},
  {field: 'k8sCAFile', env: 'K8S_CA_FILE'},
  {field: 'k8sAPIToken', env: 'K8SAPITOKEN'},
  {field: 'k8sInsecureSkipTLSVerify', env: 'K8S_INSECURE_SKIP_TLS_VERIFY', boolean: true},
  {field: 'k8sCurrentContext', env: 'K8S_CURRENT_CONTEXT'},
  {field: 'calicoAPIGroup', env: 'API_GROUP'},
]

/** Fields calicoctl's CalicoAPIConfig accepts but this tool does not use; allowed in the file. */
const ACCEPTED_UNUSED = new Set(['k8sDisableNodePoll', 'usePodCIDR', 'k8sClientQPS', 'k8sClientBurst'])

/** The file spells the local directory `datastoreDir`; everything else matches DatastoreConfig. */
const FILE_ALIASES: Record<string, keyof DatastoreConfig> = {datastoreDir: 'localDir'}

const DATASTORE_TYPES = new Set(['local', 'etcdv3', 'kubernetes'])

export interface ConfigSource {
  /** `-c/--config` as given; undefined means the default path. */
  configPath?: string
  env: Env
  home: string
  /** Reads a file, or returns undefined if it does not exist. */
  readFile(path: string): string | undefined
  /** Parses YAML or JSON text (injected so this module stays free of a YAML dependency). */
  parse(text: string): unknown
}

/**
 * calicoctl's precedence (reference §2.2): an existing config file is used ALONE; a missing
 * user-supplied file is an error; a missing default file means the environment, where
 * `CALICO_<NAME>` wins over `<NAME>`. Unlike Go calicoctl, with nothing configured the datastore
 * is the embedded local store (etcdv3 when etcd endpoints are given; kubernetes only when chosen).
 */
export function resolveDatastoreConfig(source: ConfigSource): DatastoreConfig {
  const path = source.configPath ?? DEFAULT_CONFIG_PATH
  const text = source.readFile(path)
  let partial: Partial<DatastoreConfig>
  if (text !== undefined) {
    partial = configFromFile(path, text, source.parse)
  } else if (source.configPath !== undefined && source.configPath !== DEFAULT_CONFIG_PATH) {
    throw new MissingConfigFileError(`Error reading config file: ${path}`)
  } else {
    partial = configFromEnv(source.env)
  }
  return withDefaults(partial, source.home)
}

function configFromFile(path: string, text: string, parse: (text: string) => unknown): Partial<DatastoreConfig> {
  let doc: unknown
  try {
    doc = parse(text)
  } catch (error) {
    throw new ConfigError(`syntax error in ${path}: failed to parse config as YAML/JSON: ${(error as Error).message}`)
  }
  const object = (doc ?? {}) as Record<string, unknown>
  if (object.apiVersion !== 'projectcalico.org/v3') {
    throw new ConfigError(`invalid config file: unknown APIVersion '${String(object.apiVersion ?? '')}'`)
  }
  if (object.kind !== 'CalicoAPIConfig') {
    throw new ConfigError(`invalid config file: expected kind 'CalicoAPIConfig', got '${String(object.kind ?? '')}'`)
  }
  for (const key of Object.keys(object)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) throw unknownField(path, key)
  }
  const spec = (object.spec ?? {}) as Record<string, unknown>
  const known = new Map(FIELDS.map((f) => [f.field as string, f]))
  const config: Partial<DatastoreConfig> = {}
  for (const [key, value] of Object.entries(spec)) {
    if (ACCEPTED_UNUSED.has(key)) continue
    const field = FILE_ALIASES[key] ?? (known.has(key) && key !== 'localDir' ? (key as keyof DatastoreConfig) : undefined)
    if (!field) throw unknownField(path, key)
    const spec = known.get(field)!
    if (spec.boolean) {
      if (typeof value !== 'boolean') throw new ConfigError(`invalid config file ${path}: spec.${key} must be a boolean`)
    } else if (typeof value !== 'string') {
      throw new ConfigError(`invalid config file ${path}: spec.${key} must be a string`)
    }
    ;(config as Record<string, unknown>)[field] = value
  }
  return config
}

function unknownField(path: string, key: string): ConfigError {
  return new ConfigError(
    `syntax error in ${path}: failed to parse config as YAML/JSON: field in document is not recognized or is in the wrong location: ${key}`,
  )
}

function configFromEnv(env: Env): Partial<DatastoreConfig> {
  const config: Partial<DatastoreConfig> = {}
  for (const spec of FIELDS) {
    if (!spec.env) continue
    const raw = env[`CALICO_${spec.env}`] ?? env[spec.env]
    if (raw === undefined || raw === '') continue
    ;(config as Record<string, unknown>)[spec.field] = spec.boolean ? /^(1|t|true)$/i.test(raw) : raw
  }
  return config
}

function withDefaults(partial: Partial<DatastoreConfig>, home: string): DatastoreConfig {
  const datastoreType = partial.datastoreType ?? (partial.etcdEndpoints ? 'etcdv3' : 'local')
  if (!DATASTORE_TYPES.has(datastoreType)) {
    throw new ConfigError(`invalid datastore type: ${datastoreType} (expected local, etcdv3 or kubernetes)`)
  }
  return {
    ...partial,
    datastoreType,
    localDir: partial.localDir ?? `${home.replace(/\/$/, '')}/${DEFAULT_LOCAL_DIR_NAME}`,
  }
}
