/**
 * BGP checks: validateBGPPeerSpec (+validateReachableBy), validateBGPFilterRuleV4/V6,
 * validateBGPFilterOperation and validateBGPConfigurationSpec (validator.go).
 */
import {ipVersion, parseCIDROrIP, parseIP} from '../go/net.js'
import {formatValue} from '../go/vformat.js'
import {
  BGPConfigurationSpec,
  BGPFilterOperation,
  BGPFilterPrefixLengthV4,
  BGPFilterPrefixLengthV6,
  Community,
} from '../schema/bgp.js'
import {t, type GoStruct} from '../schema/types.js'
import {processIPPort} from './checks.js'
import {registerStructCheck, type Reporter} from './engine.js'

type JSONObject = Record<string, unknown>

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** validateReachableBy: undefined when fine, else the reason. */
function reachableByError(reachableBy: string, peerIP: string): string | undefined {
  if (reachableBy === '') return undefined
  if (peerIP === '') return 'ReachablyBy field must be empty when PeerIP is empty'
  const reachable = parseIP(reachableBy)
  if (!reachable) return 'ReachableBy is invalid address'
  const peer = processIPPort(peerIP)
  if (!peer) return 'PeerIP is invalid address'
  const peerAddr = parseIP(peer.ip)
  if (!peerAddr) return 'PeerIP is invalid IP address'
  if (ipVersion(reachable) !== ipVersion(peerAddr)) return 'ReachableBy and PeerIP address family mismatched'
  return undefined
}

registerStructCheck('v3.BGPPeerSpec', (ps, r) => {
  const node = str(ps.node)
  const peerIP = str(ps.peerIP)
  const peerSelector = str(ps.peerSelector)
  const localWorkloadSelector = str(ps.localWorkloadSelector)
  const asNumber = typeof ps.asNumber === 'number' ? ps.asNumber : 0
  if (node !== '' && str(ps.nodeSelector) !== '') {
    r.report('Node', node, 'Node field must be empty when NodeSelector is specified')
  }
  if (peerIP !== '' && peerSelector !== '') {
    r.report('PeerIP', peerIP, 'PeerIP field must be empty when PeerSelector is specified')
  }
  if (asNumber !== 0 && peerSelector !== '') {
    r.report('ASNumber', String(asNumber), 'ASNumber field must be empty when PeerSelector is specified')
  }
  if (asNumber === 0 && localWorkloadSelector !== '') {
    r.report('ASNumber', '0', 'ASNumber field must NOT be empty when LocalWorkloadSelector is specified')
  }
  if (peerIP !== '' && localWorkloadSelector !== '') {
    r.report('PeerIP', peerIP, 'PeerIP field must be empty when LocalWorkloadSelector is specified')
  }
  if (peerSelector !== '' && localWorkloadSelector !== '') {
    r.report('PeerSelector', peerIP, 'PeerSelector field must be empty when LocalWorkloadSelector is specified')
  }
  const reachable = reachableByError(str(ps.reachableBy), peerIP)
  if (reachable) r.report('ReachableBy', str(ps.reachableBy), reachable)
  if (ps.keepOriginalNextHop === true && ps.nextHopMode !== undefined) {
    r.report(
      'KeepOriginalNextHop',
      peerIP,
      'The KeepOriginalNextHop field is deprecated. It must not be set to true when NextHopMode is configured.',
    )
  }
})

function checkFilterRule(rule: JSONObject, prefixStruct: GoStruct, r: Reporter): void {
  const cidr = str(rule.cidr)
  const op = str(rule.matchOperator)
  if (cidr !== '' && op === '') r.report('CIDR', cidr, 'MatchOperator cannot be empty when CIDR is not')
  if (cidr === '' && op !== '') r.report('MatchOperator', op, 'CIDR cannot be empty when MatchOperator is not')
  if (cidr === '' && rule.prefixLength !== undefined) {
    // ReportError dereferences the pointer, so the struct itself is printed.
    r.report('PrefixLength', formatValue(rule.prefixLength, t.struct(() => prefixStruct)), 'CIDR cannot be empty when PrefixLength is not')
  }
}

registerStructCheck('v3.BGPFilterRuleV4', (rule, r) => checkFilterRule(rule, BGPFilterPrefixLengthV4, r))
registerStructCheck('v3.BGPFilterRuleV6', (rule, r) => checkFilterRule(rule, BGPFilterPrefixLengthV6, r))

registerStructCheck('v3.BGPFilterOperation', (op, r) => {
  const count = ['addCommunity', 'prependASPath', 'setPriority'].filter((key) => op[key] !== undefined).length
  if (count !== 1) {
    r.report('BGPFilterOperation', formatValue(op, t.struct(() => BGPFilterOperation)), 'exactly one operation must be set')
  }
})

/** isValidCommunity + validateCommunityValue: false when the text is neither community form. */
function validCommunity(value: string, field: string, r: Reporter): boolean {
  let bits: number
  if (/^(\d+):(\d+)$/.test(value)) bits = 16
  else if (/^(\d+):(\d+):(\d+)$/.test(value)) bits = 32
  else return false
  for (const part of value.match(/\d+/g) ?? []) {
    if (BigInt(part) >= 2n ** BigInt(bits)) {
      r.report(field, value, `invalid community value, expected ${bits} bit value`)
    }
  }
  return true
}

registerStructCheck('v3.BGPConfigurationSpec', (spec, r) => {
  const communities = Array.isArray(spec.communities) ? (spec.communities as JSONObject[]) : []
  for (const community of communities) {
    const value = str(community.value)
    if (!validCommunity(value, 'Spec.Communities[].Value', r)) {
      r.report('Spec.Communities[].Value', value, 'invalid community value or format used.')
    }
  }
  const advertisements = Array.isArray(spec.prefixAdvertisements) ? (spec.prefixAdvertisements as JSONObject[]) : []
  if (advertisements.length === 0 && communities.length !== 0) {
    r.report(
      'Spec.Communities[]',
      formatValue(communities, t.slice(t.struct(() => Community))),
      'communities are defined but not used in Spec.PrefixAdvertisement[].',
    )
  }
  for (const pa of advertisements) {
    try {
      parseCIDROrIP(str(pa.cidr))
    } catch {
      r.report('Spec.PrefixAdvertisement[].CIDR', str(pa.cidr), 'invalid CIDR value.')
    }
    for (const value of Array.isArray(pa.communities) ? (pa.communities as string[]) : []) {
      const field = 'Spec.PrefixAdvertisement[].Communities[]'
      if (!validCommunity(value, field, r) && !communities.some((c) => c.name === value)) {
        r.report(field, value, 'community used is invalid or not defined.')
      }
    }
  }
  const meshDisabled = spec.nodeToNodeMeshEnabled === false
  const specText = (): string => formatValue(spec, t.struct(() => BGPConfigurationSpec))
  if (spec.nodeMeshPassword !== undefined && meshDisabled) {
    r.report('Spec.NodeMeshPassword', specText(), 'spec.NodeMeshPassword cannot be set if spec.NodeToNodeMesh is disabled')
  }
  if (spec.nodeMeshMaxRestartTime !== undefined && meshDisabled) {
    r.report(
      'Spec.NodeMeshMaxRestartTime',
      specText(),
      'spec.NodeMeshMaxRestartTime cannot be set if spec.NodeToNodeMesh is disabled',
    )
  }
})
