#!/usr/bin/env node
// Installs, with apt-get, the Debian packages the test tiers need when they are missing (as root,
// as CI runs). Each entry: a command that must exist, and the package that provides it.
// Entries join as their test tiers land.
import {execFileSync, spawnSync} from 'node:child_process'

const REQUIRED = [
  // The etcd datastore tests start a real etcd server and use etcdctl to set it up.
  ['etcd', 'etcd-server'],
  ['etcdctl', 'etcd-client'],
  // The dataplane tests program iptables and ipsets in network namespaces and send real packets.
  ['iptables-restore', 'iptables'],
  ['iptables-legacy-restore', 'iptables'],
  ['ipset', 'ipset'],
  ['ip', 'iproute2'],
  ['ping', 'iputils-ping'],
  ['nc', 'netcat-openbsd'],
]

const missing = REQUIRED.filter(([command]) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0)
if (missing.length === 0) process.exit(0)

const packages = [...new Set(missing.map(([, pkg]) => pkg))]
if (process.getuid?.() !== 0) {
  console.error(`missing system packages (${packages.join(' ')}); run this as root or install them with apt-get`)
  process.exit(1)
}
console.error(`installing ${packages.join(' ')} with apt-get`)
execFileSync('apt-get', ['update'], {stdio: 'inherit'})
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
  stdio: 'inherit',
  env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
})
