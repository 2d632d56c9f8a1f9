/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.IPAMConfigurationSpec */
export type IPAMConfigurationSpec = {
  strictAffinity?: boolean
  maxBlocksPerHost?: number
  autoAllocateBlocks?: boolean
  kubeVirtVMAddressPersistence?: string
}

/** An IPAMConfiguration resource (v3.IPAMConfiguration). */
export interface IPAMConfiguration extends Resource<IPAMConfigurationSpec> {
  kind: 'IPAMConfiguration'
}
