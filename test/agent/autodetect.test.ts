// IPv4 autodetection: the pure selection over an interface list, for every method calico-node has.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AutodetectionError, parseAutodetectionMethod, selectIPv4, type InterfaceAddress} from '../../src/agent/autodetect.js'

const HOST: InterfaceAddress[] = [
  {name: 'lo', address: '127.0.0.1', cidr: '127.0.0.1/8'},
  {name: 'docker0', address: '172.17.0.1', cidr: '172.17.0.1/16'},
  {name: 'cali1234', address: '10.9.9.9', cidr: '10.9.9.9/32'},
  {name: 'podman0', address: '10.88.0.1', cidr: '10.88.0.1/16'},
  {name: 'eth0', address: '169.254.3.3', cidr: '169.254.3.3/16'},
  {name: 'eth0', address: '192.168.1.10', cidr: '192.168.1.10/24'},
  {name: 'eth1', address: '10.0.0.5', cidr: '10.0.0.5/8'},
  {name: 'ens3', address: '172.31.4.4', cidr: '172.31.4.4/20'},
]

const pick = (method: string, source?: string) => selectIPv4(parseAutodetectionMethod(method), HOST, source)

describe('IPv4 autodetection', () => {
  it('first-found skips loopback, docker, cali*, podman and link-local addresses', () => {
    assert.equal(pick('first-found'), '192.168.1.10/24')
    assert.equal(pick(''), '192.168.1.10/24')
  })

  it('interface= takes the first address on an interface matching any regex (unanchored, like Go)', () => {
    assert.equal(pick('interface=eth1'), '10.0.0.5/8')
    assert.equal(pick('interface=ens.*, eth1'), '10.0.0.5/8')
    assert.equal(pick('interface=ens'), '172.31.4.4/20')
    // The user's list is taken as given: an excluded-by-default name can be chosen explicitly.
    assert.equal(pick('interface=docker0'), '172.17.0.1/16')
  })

  it('skip-interface= skips the regexes and the default exclusions', () => {
    assert.equal(pick('skip-interface=eth0'), '10.0.0.5/8')
    assert.equal(pick('skip-interface=eth.*'), '172.31.4.4/20')
  })

  it('cidr= picks the first address inside any of the CIDRs', () => {
    assert.equal(pick('cidr=172.16.0.0/12'), '172.31.4.4/20')
    assert.equal(pick('cidr=10.0.0.0/24,172.16.0.0/12'), '10.0.0.5/8')
  })

  it('can-reach= picks the interface holding the route source address', () => {
    assert.equal(pick('can-reach=8.8.8.8', '172.31.4.4'), '172.31.4.4/20')
    assert.throws(() => pick('can-reach=8.8.8.8', '1.2.3.4'), AutodetectionError)
  })

  it('fails with one clear line when nothing matches', () => {
    assert.throws(() => pick('interface=wlan.*'), /Unable to auto-detect an IPv4 address/)
    assert.throws(() => selectIPv4({kind: 'first-found'}, HOST.slice(0, 5)), /no valid IPv4 addresses/)
  })

  it('rejects unknown or malformed methods', () => {
    assert.throws(() => parseAutodetectionMethod('magic'), /Invalid IP autodetection method: magic/)
    assert.throws(() => parseAutodetectionMethod('cidr=10.0.0.0/33'), /invalid CIDR/)
    assert.throws(() => parseAutodetectionMethod('interface=('), /bad interface regex/)
    assert.throws(() => parseAutodetectionMethod('can-reach='), /Invalid IP autodetection method/)
  })
})
