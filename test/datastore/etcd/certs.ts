/**
 * Test PKI made at test time with the openssl CLI (on every Debian image): a CA, a server
 * certificate for 127.0.0.1/localhost (also usable as a client certificate, which etcdctl in the
 * tests uses), a client certificate, and an unrelated second CA for "wrong CA" tests.
 * EC P-256 keys keep generation fast. Files live in a temp directory the caller removes.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestPki {
  dir: string
  caFile: string
  serverCertFile: string
  serverKeyFile: string
  clientCertFile: string
  clientKeyFile: string
  /** A CA that signed none of the above. */
  otherCaFile: string
  read(file: string): string
  remove(): void
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, {cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000})
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  )
}

function makeLeaf(dir: string, name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions)
  openssl(
    [
      'req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`,
    ],
    dir,
  )
  openssl(
    [
      'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
    ],
    dir,
  )
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'calico-etcd-pki-'))
  try {
    makeCa(dir, 'ca')
    makeCa(dir, 'other-ca')
    makeLeaf(
      dir,
      'server',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n',
    )
    makeLeaf(dir, 'client', 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n')
  } catch (error) {
    rmSync(dir, {recursive: true, force: true})
    throw error
  }
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    otherCaFile: join(dir, 'other-ca.crt'),
    read: (file) => readFileSync(file, 'utf8'),
    remove: () => rmSync(dir, {recursive: true, force: true}),
  }
}
