/**
 * grpc-js passes the endpoint host as the TLS server name even when it is an IP address, and
 * Node then prints, once per process, "[DEP0123] DeprecationWarning: Setting the TLS ServerName
 * to an IP address is not permitted by RFC 6066" on stderr. Nothing is wrong (the certificate is
 * still checked against the IP), but a CLI must not print noise, so when an https endpoint is an
 * IP literal we filter out exactly that warning. Node's default printer is the only 'warning'
 * listener normally present; the listeners present at the first call are wrapped so they skip
 * DEP0123, and every other warning still reaches them.
 */
let installed = false

export function hideIpServerNameWarning(): void {
  if (installed) return
  installed = true
  const listeners = process.listeners('warning')
  if (listeners.length === 0) return
  process.removeAllListeners('warning')
  process.on('warning', (warning: Error & {code?: string}) => {
    if (warning.code === 'DEP0123') return
    for (const listener of listeners) listener.call(process, warning)
  })
}
