/** Flag builders shared by the resource commands, spelled as calicoctl spells them. */
import {Flags} from '@oclif/core'

import {DEFAULT_CONFIG_PATH} from '../datastore/config.js'

export const configFlag = Flags.string({
  char: 'c',
  summary: 'Path to the file containing connection configuration in YAML or JSON format.',
  description: `Defaults to ${DEFAULT_CONFIG_PATH}; when that file is missing, the environment is used.`,
  helpValue: '<CONFIG>',
})

export const allowVersionMismatchFlag = Flags.boolean({
  summary: 'Allow client and cluster versions mismatch.',
})

export const contextFlag = Flags.string({
  summary: 'The name of the kubeconfig context to use.',
  helpValue: '<context>',
})

export const logLevelFlag = Flags.string({
  char: 'l',
  summary: 'Set the log level (one of panic, fatal, error, warn, info, debug).',
  default: 'panic',
  helpValue: '<level>',
})

const filenameOptions = {
  char: 'f',
  summary: 'Filename, directory or "-" (stdin) to use to work with resources.',
  helpValue: '<FILENAME>',
} as const

export const filenameFlag = Flags.string(filenameOptions)

export const recursiveFlag = Flags.boolean({
  char: 'R',
  summary: 'Process the filename specified in -f or --filename recursively.',
})

export const skipEmptyFlag = Flags.boolean({
  summary: 'Do not error if any files or directory specified using -f or --filename contain no data.',
})

export const namespaceFlag = Flags.string({
  char: 'n',
  summary: 'Namespace of the resource. Only applicable to NetworkPolicy, NetworkSet, and WorkloadEndpoint.',
  description: 'Uses the default namespace if not specified.',
  helpValue: '<NS>',
})

/** The options every datastore-backed command takes. */
export const datastoreFlags = {
  config: configFlag,
  'allow-version-mismatch': allowVersionMismatchFlag,
  context: contextFlag,
  'log-level': logLevelFlag,
}

/** The options of the file-driven resource commands (create, apply, replace). */
export const fileFlags = {
  filename: Flags.string({...filenameOptions, required: true}),
  recursive: recursiveFlag,
  'skip-empty': skipEmptyFlag,
}
