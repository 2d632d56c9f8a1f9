/**
 * Dispatch chains (Felix rules/dispatch.go): map an interface to its endpoint chain with `--goto`,
 * ending in a drop of unknown `cali*` interfaces (fail closed for veths Felix has not heard of).
 * Deviation: one flat chain per direction, sorted by interface name; Felix bins >1 endpoints into a
 * prefix trie of child chains to cut per-packet rule walks. Same verdicts, more rules walked.
 */
import {M, type Chain, type Rule} from './model.js'
import {CHAINS, HOST_FROM_FWD_PREFIX, HOST_FROM_PREFIX, HOST_TO_FWD_PREFIX, HOST_TO_PREFIX, WL_FROM_PREFIX, WL_TO_PREFIX, endpointChainName} from './names.js'
import {hostIfaceSuffix} from './endpoints.js'

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort()

export function workloadDispatchChains(ifaces: Iterable<string>): [Chain, Chain] {
  const names = sorted(ifaces)
  const unknown: Rule = {match: [], action: {kind: 'drop'}, comments: ['Unknown interface']}
  return [
    {
      name: CHAINS.fromWlDispatch,
      rules: [...names.map((n): Rule => ({match: [M.inIface(n)], action: {kind: 'goto', target: endpointChainName(WL_FROM_PREFIX, n)}})), unknown],
    },
    {
      name: CHAINS.toWlDispatch,
      rules: [...names.map((n): Rule => ({match: [M.outIface(n)], action: {kind: 'goto', target: endpointChainName(WL_TO_PREFIX, n)}})), unknown],
    },
  ]
}

/**
 * Host endpoint dispatch: named interfaces first, the all-interfaces endpoint last. Host endpoints
 * without an interface name (matched by expected IPs) are not dispatched (not implemented).
 * Traffic on interfaces without a host endpoint falls through (no policy), as in Felix.
 */
export function hostDispatchChains(ifaces: Iterable<string>): Chain[] {
  const named = sorted(ifaces).filter((n) => n !== '' && n !== '*')
  const all = [...ifaces].includes('*') ? ['*'] : []
  const build = (chain: string, prefix: string, ifaceMatch: (n: string) => string): Chain => ({
    name: chain,
    rules: [...named, ...all].map((n) => ({
      match: n === '*' ? [] : [ifaceMatch(n)],
      action: {kind: 'goto', target: endpointChainName(prefix, hostIfaceSuffix(n))},
    })),
  })
  return [
    build(CHAINS.fromHostDispatch, HOST_FROM_PREFIX, M.inIface),
    build(CHAINS.toHostDispatch, HOST_TO_PREFIX, M.outIface),
    build(CHAINS.fromHepForwardDispatch, HOST_FROM_FWD_PREFIX, M.inIface),
    build(CHAINS.toHepForwardDispatch, HOST_TO_FWD_PREFIX, M.outIface),
  ]
}
