/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.ClusterInformationSpec */
export type ClusterInformationSpec = {
  clusterGUID?: string
  clusterType?: string
  calicoVersion?: string
  datastoreReady?: boolean
  variant?: string
}

/** A ClusterInformation resource (v3.ClusterInformation). */
export interface ClusterInformation extends Resource<ClusterInformationSpec> {
  kind: 'ClusterInformation'
}
