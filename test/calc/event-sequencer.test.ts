import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {EventSequencer} from '../../src/calc/event-sequencer.js'
import type {ActivePolicyUpdate, PolicyId} from '../../src/calc/index.js'

const id: PolicyId = {kind: 'GlobalNetworkPolicy', namespace: '', name: 'p'}
const policy: ActivePolicyUpdate = {
  type: 'ActivePolicyUpdate',
  id,
  policy: {tier: 'default', namespace: '', inboundRules: [], outboundRules: [], untracked: false, preDnat: false, applyOnForward: false, originalSelector: 'all()', perfHints: []},
}

describe('event sequencer', () => {
  it('flushes adds in dependency order and removals in reverse', () => {
    const s = new EventSequencer()
    s.onEndpointRemove('ep-never-sent')
    s.onIPSetAdded('s:1', 'net')
    s.onIPSetMemberAdded('s:1', '10.0.0.1/32')
    s.onProfileUpdate({type: 'ActiveProfileUpdate', id: 'prof', profile: {inboundRules: [], outboundRules: []}})
    s.onPolicyUpdate('k', policy)
    s.onConfigUpdate({A: '1'})
    s.onInSync()
    assert.deepEqual(
      s.flush().map((m) => m.type),
      ['ConfigUpdate', 'IPSetUpdate', 'ActivePolicyUpdate', 'ActiveProfileUpdate', 'InSync'],
    )
    s.onIPSetRemoved('s:1')
    s.onPolicyRemove('k')
    s.onProfileRemove('prof')
    assert.deepEqual(
      s.flush().map((m) => m.type),
      ['ActiveProfileRemove', 'ActivePolicyRemove', 'IPSetRemove'],
    )
    assert.deepEqual(s.flush(), [])
  })

  it('coalesces per key: update+remove of an unsent object is nothing; member churn cancels', () => {
    const s = new EventSequencer()
    s.onPolicyUpdate('k', policy)
    s.onPolicyRemove('k')
    s.onIPSetAdded('s:1', 'net')
    s.onIPSetMemberAdded('s:1', 'a')
    s.onIPSetMemberAdded('s:1', 'b')
    s.onIPSetMemberRemoved('s:1', 'a')
    assert.deepEqual(s.flush(), [{type: 'IPSetUpdate', id: 's:1', ipsetType: 'net', members: ['b']}])
    s.onIPSetMemberAdded('s:1', 'c')
    s.onIPSetMemberRemoved('s:1', 'c')
    s.onIPSetMemberRemoved('s:1', 'b')
    s.onIPSetMemberAdded('s:1', 'b')
    s.onIPSetMemberRemoved('s:1', 'b')
    assert.deepEqual(s.flush(), [{type: 'IPSetDeltaUpdate', id: 's:1', addedMembers: [], removedMembers: ['b']}])
    s.onPolicyUpdate('k', policy)
    s.onPolicyUpdate('k', policy)
    assert.equal(s.flush().length, 1, 'one message per key')
    s.onPolicyRemove('k')
    s.onPolicyUpdate('k', policy)
    assert.deepEqual(s.flush().map((m) => m.type), ['ActivePolicyUpdate'], 'an update cancels a pending remove')
  })

  it('re-adding a sent set replaces it in full', () => {
    const s = new EventSequencer()
    s.onIPSetAdded('s:1', 'net')
    s.onIPSetMemberAdded('s:1', 'a')
    s.flush()
    s.onIPSetMemberAdded('s:1', 'x')
    s.onIPSetRemoved('s:1')
    s.onIPSetAdded('s:1', 'net')
    s.onIPSetMemberAdded('s:1', 'b')
    assert.deepEqual(s.flush(), [{type: 'IPSetUpdate', id: 's:1', ipsetType: 'net', members: ['b']}])
  })

  it('IP pools: after ipset removes, removes before updates; a remove only for a sent pool', () => {
    const s = new EventSequencer()
    const pool = {cidr: '10.0.0.0/16', masquerade: true, disabled: false, ipipMode: 'Never', vxlanMode: 'Never'}
    s.onPoolUpdate('10.1.0.0-16', {...pool, cidr: '10.1.0.0/16'})
    s.onPoolRemove('10.1.0.0-16')
    assert.deepEqual(s.flush(), [], 'a pool never sent is not removed')
    s.onPoolUpdate('10.0.0.0-16', pool)
    s.flush()
    s.onIPSetAdded('s:1', 'net')
    s.flush()
    s.onPoolUpdate('10.2.0.0-16', {...pool, cidr: '10.2.0.0/16'})
    s.onPoolRemove('10.0.0.0-16')
    s.onIPSetRemoved('s:1')
    s.onInSync()
    assert.deepEqual(
      s.flush().map((m) => m.type),
      ['IPSetRemove', 'IPAMPoolRemove', 'IPAMPoolUpdate', 'InSync'],
    )
  })
})
