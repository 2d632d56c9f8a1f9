/**
 * The text form of a policy trace: the flow, then per endpoint direction the path through tiers,
 * policies and profiles with the deciding step marked `=>`, then the verdict and any notes.
 * (`-o json` prints the TraceResult itself.)
 */
import type {DirectionTrace, PeerSummary, PolicyRef, TraceResult, TraceStep} from '../../policy/index.js'

function peerText(p: PeerSummary): string {
  if (p.kind === 'IP') {
    const sets = p.networkSets.length > 0 ? ` in ${p.networkSets.map((s) => (s.includes('/') ? `NetworkSet ${s}` : `GlobalNetworkSet ${s}`)).join(', ')}` : ''
    return `${p.ip}${sets}`
  }
  const name = p.namespace !== undefined ? `${p.namespace}/${p.name}` : p.name
  return `${p.kind} ${name} (${p.ip})`
}

function policyText(ref: PolicyRef): string {
  return ref.namespace !== undefined ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`
}

function flowText(r: TraceResult): string {
  const f = r.flow
  const to = f.dstPort !== undefined ? `${f.dstIP} port ${f.dstPort}` : f.dstIP
  const from = f.srcPort !== undefined ? `${f.srcIP} port ${f.srcPort}` : f.srcIP
  const icmp = f.icmp ? ` type ${f.icmp.type}${f.icmp.code !== undefined ? ` code ${f.icmp.code}` : ''}` : ''
  return `Flow: ${f.protocolName}${icmp} ${from} -> ${to} (IPv${f.ipVersion})`
}

/** One line per step; `rules` is `ingress` or `egress` (the rule list the index refers to). */
function stepLines(step: TraceStep, rules: string): string[] {
  switch (step.step) {
    case 'failsafe':
      return [`failsafe port ${step.entry} allows it before any policy`]
    case 'encap-drop':
      return [
        step.encap === 'VXLAN'
          ? 'VXLAN packets from workloads are dropped before policy (allowVXLANPacketsFromWorkloads is false)'
          : 'IP-in-IP packets from workloads are dropped before policy (allowIPIPPacketsFromWorkloads is false)',
      ]
    case 'tier': {
      const order = step.order === null ? 'no order' : `order ${step.order}`
      const n = step.policies.length
      return [`tier ${step.tier} (${order}, default action ${step.defaultAction}): ${n} ${n === 1 ? 'policy applies' : 'policies apply'}`]
    }
    case 'rule': {
      const what = step.action === 'Log' ? 'Log (logged; evaluation continues)' : step.action === 'Pass' ? 'Pass (skips to the next tier)' : step.action
      return [`  ${policyText(step.policy)}: ${rules}[${step.ruleIndex}] ${what}`, ...(step.notes ?? []).map((n) => `    note: ${n}`)]
    }
    case 'no-match':
      return [`  ${policyText(step.policy)}: no rule matched`]
    case 'end-of-tier':
      return step.action === 'Deny'
        ? [`  end of tier ${step.tier}: no policy allowed, denied or passed the packet; the tier's default action is Deny`]
        : [`  end of tier ${step.tier}: no policy decided; the tier's default action Pass goes on to the next tier`]
    case 'profile-rule': {
      const what = step.action === 'Log' ? 'Log (logged; evaluation continues)' : step.action === 'Pass' && step.verdict === undefined ? 'Pass (ends this profile)' : step.action
      return [`profile ${step.profile}: ${rules}[${step.ruleIndex}] ${what}`, ...(step.notes ?? []).map((n) => `  note: ${n}`)]
    }
    case 'profile-no-match':
      return [`profile ${step.profile}: no rule matched`]
    case 'missing-profile':
      return [`profile ${step.profile} does not exist: Felix substitutes a deny-all profile (fails closed)`]
    case 'default-deny':
      return step.reason === 'no-profiles'
        ? ['no policy decided and the endpoint has no profiles: dropped']
        : ['no profile allowed the packet: dropped']
  }
}

function directionLines(d: DirectionTrace): string[] {
  const title = d.direction === 'egress' ? `Egress from ${d.endpoint}` : `Ingress to ${d.endpoint}`
  const lines = [`${title}: ${d.verdict}`]
  const first = d.steps[0]
  if (first && first.step !== 'tier' && first.step !== 'failsafe' && first.step !== 'encap-drop') {
    lines.push(`  no tier has ${d.direction} policy for this endpoint`)
  }
  d.steps.forEach((step, i) => {
    const [head, ...rest] = stepLines(step, d.direction)
    const decides = i === d.steps.length - 1
    lines.push(`  ${head}${decides ? `  => ${d.verdict}` : ''}`, ...rest.map((line) => `  ${line}`))
  })
  return lines
}

export function renderTraceText(r: TraceResult): string {
  const lines = [flowText(r), `  source:      ${peerText(r.source)}`, `  destination: ${peerText(r.destination)}`, '']
  for (const d of r.directions) lines.push(...directionLines(d), '')
  lines.push(`Verdict: ${r.verdict}`)
  if (r.notes.length > 0) lines.push('', 'Notes:', ...r.notes.map((n) => `  - ${n}`))
  return `${lines.join('\n')}\n`
}
