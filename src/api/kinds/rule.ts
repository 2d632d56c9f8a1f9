/** Policy rule types shared by every policy kind and Profile (policy_common.go), in JSON form. */
import type {PortJSON, ProtocolJSON} from '../numorstring.js'

/** v3.Rule */
export type Rule = {
  action?: string
  ipVersion?: number
  protocol?: ProtocolJSON
  icmp?: ICMPFields
  notProtocol?: ProtocolJSON
  notICMP?: ICMPFields
  source?: EntityRule
  destination?: EntityRule
  http?: HTTPMatch
  metadata?: RuleMetadata
}

/** v3.ICMPFields */
export type ICMPFields = {
  type?: number
  code?: number
}

/** v3.EntityRule */
export type EntityRule = {
  nets?: string[]
  selector?: string
  namespaceSelector?: string
  services?: ServiceMatch
  ports?: PortJSON[]
  notNets?: string[]
  notSelector?: string
  notPorts?: PortJSON[]
  serviceAccounts?: ServiceAccountMatch
}

/** v3.ServiceMatch */
export type ServiceMatch = {
  name?: string
  namespace?: string
}

/** v3.ServiceAccountMatch */
export type ServiceAccountMatch = {
  names?: string[]
  selector?: string
}

/** v3.HTTPMatch */
export type HTTPMatch = {
  methods?: string[]
  paths?: HTTPPath[]
}

/** v3.HTTPPath */
export type HTTPPath = {
  exact?: string
  prefix?: string
}

/** v3.RuleMetadata */
export type RuleMetadata = {
  annotations?: Record<string, string>
}

