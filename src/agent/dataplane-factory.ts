/**
 * Picks the dataplane for `node run --dataplane`: `iptables` is the iptables + ipset dataplane
 * (src/dataplane/index.ts; backend nft/legacy auto-detected at the first apply, so a host without
 * iptables shows up as a not-ready reason, not a crash); `none` computes policy and programs
 * nothing (NullDataplane).
 */
import type {CalcMessage} from '../calc/messages.js'
import type {Dataplane} from '../dataplane/dataplane.js'
import {IptablesDataplane} from '../dataplane/index.js'

export const DATAPLANE_KINDS = ['iptables', 'none'] as const
export type DataplaneKind = (typeof DATAPLANE_KINDS)[number]

export interface DataplaneFactoryOptions {
  /** Errors of the dataplane's own refresh timer (the agent logs them). */
  readonly onError?: (error: unknown) => void
}

export function createDataplane(kind: DataplaneKind, options: DataplaneFactoryOptions = {}): Dataplane {
  switch (kind) {
    case 'none':
      return new NullDataplane()
    case 'iptables':
      return new IptablesDataplane({onError: options.onError})
  }
}

/** Counts what it is given and keeps nothing, so a long-running `--dataplane=none` agent stays flat. */
export class NullDataplane implements Dataplane {
  messages = 0
  applies = 0

  onUpdate(_msg: CalcMessage): void {
    this.messages++
  }

  async apply(): Promise<void> {
    this.applies++
  }

  async close(): Promise<void> {}
}
