import {readFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import type {ClusterInformation} from '../../api/index.js'
import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {datastoreFlags} from '../../cli/flags.js'
import {confirmAction} from '../../cli/prompts.js'
import {clientVersion} from '../../cli/version-info.js'
import {addrString, decodeReport, IPAMClient, mergeReports, parseAddr, type Report} from '../../ipam/index.js'

export default class IpamRelease extends CalicoCommand {
  static summary = 'Release addresses: one IP, every IP of a handle, or the leaks found by `ipam check`.'
  static description = `--ip releases one address whatever holds it (it does not remove the address from an endpoint
still using it). --handle releases every address recorded under an allocation handle (not in
calicoctl). --from-report releases only what is leaked in every given report of \`ipam check -o\`,
guarded by each allocation's handle and sequence number, and deletes leaked handles whose revision is
unchanged; it refuses reports from another cluster, from another calicoctl version (unless --force),
reports that are all stale (at least one must match the current ClusterInformation revision, so it
must be generated after locking), and an unlocked data store (unless --force). Lock first with
\`calicoctl datastore migrate lock\` (ClusterInformation datastoreReady=false). On a terminal it
asks for confirmation unless --yes.`

  static examples = [
    '<%= config.bin %> ipam release --ip=10.65.0.7',
    '<%= config.bin %> ipam release --handle=bm-web-1 --yes',
    '<%= config.bin %> ipam release --from-report=report.json',
  ]

  static flags = {
    ip: Flags.string({summary: 'IP address to release.', helpValue: '<IP>'}),
    'from-report': Flags.string({
      summary: 'Release all leaked addresses from the report (repeatable: only leaks common to all reports).',
      helpValue: '<REPORT>',
      multiple: true,
    }),
    handle: Flags.string({summary: 'Release every address of this allocation handle.', helpValue: '<HANDLE>'}),
    force: Flags.boolean({summary: 'Force release of leaked addresses.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(IpamRelease)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const ipam = new IPAMClient(client.datastore)
    const reports = flags['from-report'] ?? []
    if (reports.length > 0) {
      await this.releaseFromReports(ipam, reports, flags.force, flags.yes)
      this.out('You may now unlock the data store.')
      return
    }
    if (flags.ip !== undefined) {
      const addr = parseAddr(flags.ip)
      if (!addr) this.failOnStdout(`Error executing command: invalid IP address specified: ${flags.ip}`)
      const ip = addrString(addr)
      await this.confirm(`Release IP address ${ip}?`, flags.yes)
      const outcome = await ipam.releaseIPs([{address: ip}])
      if (outcome.error) throw new CliError(`error: ${outcome.error.message}`)
      if (outcome.unallocated.length !== 0) throw new CliError(`IP address ${ip} is not assigned`)
      this.out(`Successfully released IP address ${ip}`)
    }
    if (flags.handle !== undefined) {
      await this.confirm(`Release every IP address of handle ${flags.handle}?`, flags.yes)
      const released = await ipam.releaseByHandle(flags.handle)
      for (const ip of released) this.out(`Successfully released IP address ${ip}`)
      if (released.length === 0) this.out(`Handle ${flags.handle} held no addresses; its record was removed`)
    }
  }

  private async confirm(question: string, yes: boolean): Promise<void> {
    if (!(await confirmAction(question, {yes}))) throw new CliError('Nothing was released.')
  }

  /** release.go releaseFromReports: the safety checks, then guarded releases and handle deletions. */
  private async releaseFromReports(ipam: IPAMClient, files: string[], force: boolean, yes: boolean): Promise<void> {
    const info = (await ipam.ctx.resources.get('ClusterInformation', 'default')) as ClusterInformation
    const version = clientVersion().version
    let foundCurrent = false
    const reports: Report[] = []
    for (const file of files) {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (error) {
        throw new CliError(`open ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`)
      }
      let report: Report
      try {
        report = decodeReport(text)
      } catch (error) {
        throw new CliError(`${file}: ${(error as Error).message}`)
      }
      if ((info.spec?.clusterGUID ?? '') !== report.clusterGUID) {
        throw new CliError(`cluster does not match the provided report (${file}): mismatched cluster GUID. Refusing to release`)
      }
      if (version !== report.version) {
        if (!force) {
          throw new CliError(`the provided report (${file}) was produced using a different version (${report.version}) of calicoctl. Refusing to release`)
        }
        this.out('WARNING: Report was produced using a different version of calicoctl. Ignoring due to --force option')
      }
      if (info.metadata.resourceVersion === report.clusterInformationRevision) foundCurrent = true
      reports.push(report)
    }
    if (!foundCurrent) {
      throw new CliError(
        'the provided reports are all stale - at least one should be up-to-date. Please generate a new report while the data store is locked and try again',
      )
    }
    if (info.spec?.datastoreReady !== false) {
      if (!force) throw new CliError('data store is not locked. Either lock the data store, or re-run with --force')
      this.out('WARNING: Data store is not locked. Ignoring due to --force option')
    }
    const {ips, handles} = mergeReports(reports)
    if (ips.size + handles.size > 0) await this.confirm(`Release ${ips.size} leaked IP address(es) and delete ${handles.size} leaked handle(s)?`, yes)

    if (ips.size > 0) {
      this.out(`Releasing ${ips.size} old IPs...`)
      const outcome = await ipam.releaseIPs([...ips.values()])
      if (outcome.error) {
        this.out(
          `An error occurred while releasing some IPs: ${outcome.error.message}.  Problems are often caused by an out-of-date IPAM report.  Try regenerating the IPAM report and retry.`,
        )
      } else {
        this.out(`Released ${ips.size - outcome.unallocated.length} IPs successfully`)
      }
      if (outcome.unallocated.length !== 0) this.out(`${outcome.unallocated.length} addresses marked as leaked in the report had already been cleaned up.`)
    } else {
      this.out("Report didn't contain any leaked IPs to clean up.")
    }

    if (handles.size > 0) {
      this.out(`Deleting ${handles.size} handles...`)
      this.out("Key: '.' = Deleted OK; 'x' = skip, handle missing/changed.")
      let released = 0
      let skipped = 0
      let errors = 0
      let progress = ''
      for (const h of handles.values()) {
        try {
          if ((await ipam.deleteHandleIfUnchanged(h.ID, h.Revision)) === 'deleted') {
            released++
            progress += '.'
          } else {
            skipped++
            progress += 'x'
          }
        } catch (error) {
          errors++
          progress += `\nDeleting handle ${h.ID} failed: ${(error as Error).message}.\n`
        }
      }
      this.out(`${progress}\nReleased ${released} handles; ${skipped} skipped; ${errors} errors.`)
    } else {
      this.out("Report didn't contain any handles to clean up.")
    }
  }
}
