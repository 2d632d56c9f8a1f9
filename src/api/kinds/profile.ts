/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'
import type {Rule} from './rule.js'

/** v3.ProfileSpec */
export type ProfileSpec = {
  ingress?: Rule[]
  egress?: Rule[]
  labelsToApply?: Record<string, string>
}

/** A Profile resource (v3.Profile). */
export interface Profile extends Resource<ProfileSpec> {
  kind: 'Profile'
}
