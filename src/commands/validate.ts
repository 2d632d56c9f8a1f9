import {validateResource} from '../api/index.js'
import {CalicoCommand} from '../cli/base-command.js'
import {describeFailure, singleKindOf} from '../cli/config-command.js'
import {CliError} from '../cli/errors.js'
import {allowVersionMismatchFlag, fileFlags, logLevelFlag} from '../cli/flags.js'
import {readResourceInput} from '../cli/input.js'
import {collectedErrorsReport, type ResultSummary} from '../cli/report.js'

export default class Validate extends CalicoCommand {
  static summary = 'Validate a resource by file, directory or stdin, offline.'
  static description = `Parses the input and runs Calico's v3 validator on every resource without contacting a datastore.
Cross-resource checks (pool overlap, tier existence, immutable fields) need the datastore and are not run.`

  static examples = ['<%= config.bin %> validate --filename=./policy.yaml', 'cat pools.yaml | <%= config.bin %> validate --filename=-']

  static flags = {
    filename: fileFlags.filename,
    recursive: fileFlags.recursive,
    'skip-empty': fileFlags['skip-empty'],
    'allow-version-mismatch': allowVersionMismatchFlag,
    'log-level': logLevelFlag,
  }

  async run(): Promise<ResultSummary> {
    const {flags} = await this.parse(Validate)
    const docs = readResourceInput({filename: flags.filename, recursive: flags.recursive, skipEmpty: flags['skip-empty']})
    const summary: ResultSummary = {total: docs.length, handled: 0, errors: [], singleKind: singleKindOf(docs, false)}
    for (const doc of docs) {
      const problem = doc.resource ? validateResource(doc.resource)?.message : (doc.error ?? 'invalid document')
      if (problem === undefined) summary.handled++
      else summary.errors.push(doc.resource ? describeFailure(doc.resource, problem) : problem)
    }
    const report = collectedErrorsReport('validate', summary)
    for (const line of report.stdout) this.out(line)
    if (report.error !== undefined) throw new CliError(report.error)
    return summary
  }
}
