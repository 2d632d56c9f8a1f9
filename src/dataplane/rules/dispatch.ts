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
 * One host endpoint dispatch chain: named interfaces first (sorted), the all-interfaces endpoint
 * last. Traffic on interfaces without a host endpoint falls through (no policy), as in Felix.
 * Host endpoints matched by expected IPs arrive here already resolved to interface names.
 */
export function hostDispatchChain(chain: string, prefix: string, ifaces: Iterable<string>, direction: 'in' | 'out'): Chain {
  const list = [...ifaces]
  const named = sorted(list).filter((n) => n !== '' && n !== '*')
  const all = list.includes('*') ? ['*'] : []
  const ifaceMatch = direction === 'in' ? M.inIface : M.outIface
  return {
    name: chain,
    rules: [...named, ...all].map((n) => ({
      match: n === '*' ? [] : [ifaceMatch(n)],
      action: {kind: 'goto', target: endpointChainName(prefix, hostIfaceSuffix(n))},
    })),
  }
}

/** The filter table's four host endpoint dispatch chains (normal and applyOnForward). */
export function hostDispatchChains(ifaces: Iterable<string>): Chain[] {
  const list = [...ifaces]
  return [
    hostDispatchChain(CHAINS.fromHostDispatch, HOST_FROM_PREFIX, list, 'in'),
    hostDispatchChain(CHAINS.toHostDispatch, HOST_TO_PREFIX, list, 'out'),
    hostDispatchChain(CHAINS.fromHepForwardDispatch, HOST_FROM_FWD_PREFIX, list, 'in'),
    hostDispatchChain(CHAINS.toHepForwardDispatch, HOST_TO_FWD_PREFIX, list, 'out'),
  ]
}
