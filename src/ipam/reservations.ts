/**
 * IPReservations as an address filter (libcalico-go lib/ipam/reserved.go, addr_filter.go): every
 * spec.reservedCIDRs entry of every IPReservation. Reserved addresses are never handed out by
 * auto-assignment nor by assigning a specific address; they stay on a block's free list, so
 * deleting the reservation makes them usable again.
 */
import {netContainsAddr, netContainsNet, netsOverlap, parseNet, type Addr, type Net} from './net.js'

export class Reservations {
  static readonly NONE = new Reservations([])

  constructor(readonly nets: readonly Net[]) {}

  /** Builds the filter from reservedCIDRs texts; bare addresses count as full-length networks. */
  static fromCIDRs(cidrs: readonly string[]): Reservations {
    const nets: Net[] = []
    for (const text of cidrs) {
      const net = parseNet(text.includes('/') ? text : text.includes(':') ? `${text}/128` : `${text}/32`)
      if (net) nets.push(net)
    }
    return new Reservations(nets)
  }

  get empty(): boolean {
    return this.nets.length === 0
  }

  matchesAddr(addr: Addr): boolean {
    return this.nets.some((n) => netContainsAddr(n, addr))
  }

  /** The whole network is reserved (by one reservation containing it). */
  matchesWhole(net: Net): boolean {
    return this.nets.some((n) => netContainsNet(n, net))
  }

  /** Some address in the network may be reserved. */
  matchesSome(net: Net): boolean {
    return this.nets.some((n) => netsOverlap(n, net))
  }
}
