/**
 * Turns the etcd fields of a DatastoreConfig (calicoctl's CalicoAPIConfig, reference calicoctl-cli.md
 * §2.1) into checked connection settings. Nothing here talks to etcd.
 *
 * Secrets: error messages name fields and file paths, never a password, a key, certificate
 * contents or the user-info part of a URL.
 */
import {readFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {rootCertificates} from 'node:tls'

import type {DatastoreConfig} from '../config.js'
import {DatastoreError} from '../datastore.js'

/** etcd's registered client port, used when an endpoint URL names none. */
const DEFAULT_ETCD_PORT = '2379'

export interface Endpoint {
  /** Normalised `scheme://host:port`, safe to print. */
  url: string
  /** `host:port` as gRPC wants it (IPv6 hosts keep their brackets). */
  target: string
  secure: boolean
  /** The host is an IP literal (matters for the TLS server-name warning, see tls-warning.ts). */
  ipHost: boolean
}

export interface TlsMaterial {
  /** PEM bundle of trusted CAs: the configured CA, else Node's built-in roots. */
  ca: Buffer
  cert?: Buffer
  key?: Buffer
}

export interface EtcdSettings {
  endpoints: Endpoint[]
  /** Used only when the endpoints are https (as Go's clientv3 does for http endpoints). */
  tls?: TlsMaterial
  auth?: {username: string; password: string}
}

export function resolveEtcdSettings(config: DatastoreConfig): EtcdSettings {
  const endpoints = parseEndpoints(config)
  const tls = loadTls(config)
  // libcalico-go passes credentials on only when both are set; so do we.
  const auth =
    config.etcdUsername && config.etcdPassword
      ? {username: config.etcdUsername, password: config.etcdPassword}
      : undefined
  return {endpoints, tls, auth}
}

function parseEndpoints(config: DatastoreConfig): Endpoint[] {
  const text = config.etcdEndpoints ?? ''
  if (text.trim() !== '' && config.etcdDiscoverySrv) {
    // libcalico-go's message.
    throw new DatastoreError(
      'multiple discovery or bootstrap options specified, use either "etcdEndpoints" or "etcdDiscoverySrv"',
    )
  }
  if (config.etcdDiscoverySrv) {
    throw new DatastoreError('etcdDiscoverySrv (DNS SRV discovery) is not supported; set etcdEndpoints instead')
  }
  const raw = text.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (raw.length === 0) throw new DatastoreError('no etcd endpoints specified (set etcdEndpoints or ETCD_ENDPOINTS)')
  const endpoints = raw.map(parseEndpoint)
  const secure = endpoints.filter((e) => e.secure).length
  if (secure !== 0 && secure !== endpoints.length) {
    throw new DatastoreError('etcd endpoints mix http and https; use one scheme for all of them')
  }
  return endpoints
}

function parseEndpoint(raw: string): Endpoint {
  const shown = redactUserInfo(raw)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new DatastoreError(`invalid etcd endpoint "${shown}": expected a URL such as http://127.0.0.1:2379`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DatastoreError(`invalid etcd endpoint "${shown}": the scheme must be http or https`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new DatastoreError(
      `invalid etcd endpoint "${shown}": credentials do not belong in the URL; use etcdUsername and etcdPassword`,
    )
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw new DatastoreError(`invalid etcd endpoint "${shown}": expected only scheme, host and port`)
  }
  const port = url.port === '' ? DEFAULT_ETCD_PORT : url.port
  const target = `${url.hostname}:${port}`
  const bareHost = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return {url: `${url.protocol}//${target}`, target, secure: url.protocol === 'https:', ipHost: isIP(bareHost) !== 0}
}

/** `scheme://user:pass@host` → `scheme://***@host`, for messages about malformed endpoints. */
function redactUserInfo(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//***@')
}

function loadTls(config: DatastoreConfig): TlsMaterial | undefined {
  const inline = {ca: config.etcdCACert, cert: config.etcdCert, key: config.etcdKey}
  const files = {ca: config.etcdCACertFile, cert: config.etcdCertFile, key: config.etcdKeyFile}
  const haveInline = Object.values(inline).some((v) => v)
  const haveFiles = Object.values(files).some((v) => v)
  if (haveInline && haveFiles) {
    // libcalico-go's message.
    throw new DatastoreError('Cannot mix inline certificate-key and certificate / key files')
  }
  if (!haveInline && !haveFiles) return undefined
  const material = haveInline
    ? {
        ca: pem(inline.ca),
        cert: pem(inline.cert),
        key: pem(inline.key),
      }
    : {
        ca: readPem(files.ca, 'etcdCACertFile'),
        cert: readPem(files.cert, 'etcdCertFile'),
        key: readPem(files.key, 'etcdKeyFile'),
      }
  const [certField, keyField] = haveInline ? ['etcdCert', 'etcdKey'] : ['etcdCertFile', 'etcdKeyFile']
  if ((material.cert === undefined) !== (material.key === undefined)) {
    throw new DatastoreError(`${certField} and ${keyField} must be given together`)
  }
  return {...material, ca: material.ca ?? Buffer.from(rootCertificates.join('\n'))}
}

function pem(text: string | undefined): Buffer | undefined {
  return text ? Buffer.from(text) : undefined
}

function readPem(path: string | undefined, field: string): Buffer | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new DatastoreError(`cannot read ${field} ${path}: ${code}`)
  }
}
