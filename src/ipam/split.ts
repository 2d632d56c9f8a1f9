/**
 * `ipam split` arithmetic (calicoctl commands/ipam/split.go splitCIDR): a pool CIDR cut into a
 * power-of-two number of equal, consecutive child CIDRs.
 */
import {addressBits, netString, parseNet} from './net.js'

export class SplitError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SplitError'
  }
}

export function splitCIDR(cidr: string, parts: number): string[] {
  const power = Math.log2(parts)
  if (!Number.isFinite(power) || power <= 0 || Math.trunc(power) !== power) {
    throw new SplitError(`number to split CIDR into is not a valid power of 2: ${parts}`)
  }
  const net = parseNet(cidr)
  if (!net) throw new SplitError(`error reading CIDR ${cidr} before attempting to split it`)
  const bits = addressBits(net.version)
  if (power + net.prefix > bits) throw new SplitError(`the CIDR ${cidr} is not large enough to be split into ${parts} parts`)
  const prefix = net.prefix + power
  const step = 1n << BigInt(bits - prefix)
  return Array.from({length: parts}, (_, i) => netString({version: net.version, base: net.base + BigInt(i) * step, prefix}))
}
