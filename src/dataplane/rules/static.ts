/**
 * The filter table's fixed chains (Felix rules/static.go) and the rules inserted into the kernel's
 * own chains. Rule text follows felix/fv/cali-iptables-dump.txt (VXLAN/IPIP/WireGuard/IPVS parts
 * omitted: this agent does not program overlays yet).
 */
import type {ProtoPort, RenderConfig} from './config.js'
import {M, type Action, type Chain, type Rule} from './model.js'
import {CHAINS, MARK, MARK_ALL_CALICO} from './names.js'

const accept: Action = {kind: 'accept'}
const clear = (mask: number): Action => ({kind: 'set-mark', mark: 0, mask})
const jump = (target: string): Action => ({kind: 'jump', target})

const HEP_ACCEPTED = 'Host endpoint policy accepted packet.'

function inputChain(): Chain {
  return {
    name: CHAINS.input,
    rules: [
      {match: [M.inIface('cali+')], action: {kind: 'goto', target: CHAINS.wlToHost}},
      {match: [M.markSet(MARK.accept)], action: accept},
      {match: [], action: clear(MARK_ALL_CALICO)},
      {match: [], action: jump(CHAINS.fromHostDispatch)},
      {match: [M.markSet(MARK.accept)], action: accept, comments: [HEP_ACCEPTED]},
    ],
  }
}

function forwardChain(): Chain {
  return {
    name: CHAINS.forward,
    rules: [
      // Keep accept (an earlier Calico chain may have set it), clear the rest.
      {match: [], action: clear(MARK_ALL_CALICO & ~MARK.accept)},
      {match: [M.markClear(MARK.accept)], action: jump(CHAINS.fromHepForwardDispatch)},
      {match: [M.inIface('cali+')], action: jump(CHAINS.fromWlDispatch)},
      {match: [M.outIface('cali+')], action: jump(CHAINS.toWlDispatch)},
      {match: [], action: jump(CHAINS.toHepForwardDispatch)},
      {match: [], action: jump(CHAINS.cidrBlock)},
    ],
  }
}

function outputChain(): Chain {
  return {
    name: CHAINS.output,
    rules: [
      {match: [M.markSet(MARK.accept)], action: accept},
      // Host → workload is not policed by the workload's ingress policy (as Felix).
      {match: [M.outIface('cali+')], action: {kind: 'return'}},
      {match: [], action: clear(MARK_ALL_CALICO)},
      {match: [M.notCtState('DNAT')], action: jump(CHAINS.toHostDispatch)},
      {match: [M.markSet(MARK.accept)], action: accept, comments: [HEP_ACCEPTED]},
    ],
  }
}

/** Workload → host: the workload's egress policy, then DefaultEndpointToHostAction. */
function wlToHostChain(cfg: RenderConfig): Chain {
  const action: Action =
    cfg.endpointToHostAction === 'ACCEPT'
      ? accept
      : cfg.endpointToHostAction === 'RETURN'
        ? {kind: 'return'}
        : cfg.endpointToHostAction === 'REJECT'
          ? {kind: 'reject'}
          : {kind: 'drop'}
  return {
    name: CHAINS.wlToHost,
    rules: [
      {match: [], action: jump(CHAINS.fromWlDispatch)},
      {match: [], action, comments: ['Configured DefaultEndpointToHostAction']},
    ],
  }
}

/** Failsafe chains: inbound ports are destination ports, outbound ones too (as Felix). */
function failsafeChain(name: string, ports: readonly ProtoPort[], direction: 'in' | 'out'): Chain {
  return {
    name,
    rules: ports.map(
      (p): Rule => ({
        match: [
          M.proto(p.protocol),
          ...(p.net === undefined ? [] : [direction === 'in' ? M.src(p.net) : M.dst(p.net)]),
          M.dstPorts(`${p.port}`),
        ],
        action: accept,
      }),
    ),
  }
}

export function staticFilterChains(cfg: RenderConfig): Chain[] {
  return [
    inputChain(),
    forwardChain(),
    outputChain(),
    wlToHostChain(cfg),
    failsafeChain(CHAINS.failsafeIn, cfg.failsafeInbound, 'in'),
    failsafeChain(CHAINS.failsafeOut, cfg.failsafeOutbound, 'out'),
    {name: CHAINS.cidrBlock, rules: []},
  ]
}

/** Rules Felix inserts at the top of the kernel's chains. */
export function kernelInserts(): Map<string, Rule[]> {
  return new Map([
    ['INPUT', [{match: [], action: jump(CHAINS.input)}]],
    ['FORWARD', [{match: [], action: jump(CHAINS.forward)}]],
    ['OUTPUT', [{match: [], action: jump(CHAINS.output)}]],
  ])
}

/** Rules Felix appends to the kernel's FORWARD chain, after everything else there. */
export function kernelAppends(): Map<string, Rule[]> {
  return new Map([
    [
      'FORWARD',
      [
        {match: [M.markSet(MARK.accept)], action: accept, comments: ['Policy explicitly accepted packet.']},
        {match: [], action: {kind: 'set-mark', mark: MARK.accept, mask: MARK.accept}},
      ],
    ],
  ])
}
