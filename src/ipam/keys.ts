/**
 * Calico's etcd key layout for IPAM (libcalico-go/lib/backend/model: block.go, block_affinity.go,
 * ipam_handle.go, ipam_config.go). A CIDR in a key is written with its "/" replaced by "-".
 * These keys are the same on every backend, so a store written by Go Calico reads back here.
 */
import {netString, parseNet, type IPVersion, type Net} from './net.js'

export const IPAM_PREFIX = '/calico/ipam/v2/'
export const BLOCK_PREFIX = '/calico/ipam/v2/assignment/'
export const HOST_PREFIX = '/calico/ipam/v2/host/'
export const HANDLE_PREFIX = '/calico/ipam/v2/handle/'
export const CONFIG_KEY = '/calico/ipam/v2/config'

function cidrSegment(net: Net): string {
  return netString(net).replace('/', '-')
}

/** `/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26` */
export function blockKey(net: Net): string {
  return `${BLOCK_PREFIX}ipv${net.version}/block/${cidrSegment(net)}`
}

/** The prefix listing every block of one family, or of both. */
export function blockPrefix(version?: IPVersion): string {
  return version === undefined ? BLOCK_PREFIX : `${BLOCK_PREFIX}ipv${version}/`
}

/** `/calico/ipam/v2/host/<node>/ipv4/block/10.0.0.0-26` */
export function affinityKey(host: string, net: Net): string {
  return `${HOST_PREFIX}${host}/ipv${net.version}/block/${cidrSegment(net)}`
}

/** The prefix of one host's affinities of one family (Calico's BlockAffinityListOptions). */
export function hostAffinityPrefix(host: string, version: IPVersion): string {
  return `${HOST_PREFIX}${host}/ipv${version}/block/`
}

/** `/calico/ipam/v2/handle/<handleID>` */
export function handleKey(handleId: string): string {
  return `${HANDLE_PREFIX}${handleId}`
}

const BLOCK_KEY = /^\/calico\/ipam\/v2\/assignment\/ipv[46]\/block\/([^/]+)$/
const AFFINITY_KEY = /^\/calico\/ipam\/v2\/host\/([^/]+)\/ipv[46]\/block\/([^/]+)$/

function segmentNet(segment: string): Net | undefined {
  return parseNet(segment.replace('-', '/'))
}

/** The block CIDR a block key names, or undefined for a key that is not a block. */
export function parseBlockKey(key: string): Net | undefined {
  const match = BLOCK_KEY.exec(key)
  return match ? segmentNet(match[1]) : undefined
}

/** Host and block CIDR of an affinity key, or undefined for a key that is not one. */
export function parseAffinityKey(key: string): {host: string; net: Net} | undefined {
  const match = AFFINITY_KEY.exec(key)
  if (!match) return undefined
  const net = segmentNet(match[2])
  return net ? {host: match[1], net} : undefined
}

/** The handle ID a handle key names. */
export function parseHandleKey(key: string): string | undefined {
  return key.startsWith(HANDLE_PREFIX) && key.length > HANDLE_PREFIX.length && !key.slice(HANDLE_PREFIX.length).includes('/')
    ? key.slice(HANDLE_PREFIX.length)
    : undefined
}
