/**
 * Colour for human-facing output. calicoctl itself prints no colour; where this CLI adds some
 * (never in machine formats), it is shown only on a terminal, and never when NO_COLOR is set to
 * a non-empty value (https://no-color.org).
 */

import {Chalk, type ChalkInstance} from 'chalk'

export interface ColourStream {
  isTTY?: boolean
}

export function useColour(stream: ColourStream, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true
}

/** A chalk instance that colours only when useColour says so (level 0 makes every style a no-op). */
export function colours(stream: ColourStream, env: Readonly<Record<string, string | undefined>> = process.env): ChalkInstance {
  return new Chalk({level: useColour(stream, env) ? 1 : 0})
}
