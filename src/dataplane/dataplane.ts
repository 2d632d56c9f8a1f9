/**
 * What the agent drives (DESIGN.md "Dataplane managers"). The agent feeds every CalcMessage of a
 * flush to `onUpdate`, then awaits `apply()`; `close()` on shutdown.
 *
 * Contract:
 * - `onUpdate` is cheap bookkeeping: no I/O, never throws for well-formed messages.
 * - Nothing touches the kernel before `InSync` has been received; `apply()` before that resolves
 *   without doing anything.
 * - `apply()` writes the difference between desired and actual state. Calls are serialised. It
 *   rejects when the kernel could not be brought to the desired state (the caller reports not-ready
 *   and retries); the previous kernel state is left in place (fail static, never flush on error).
 * - `close()` stops timers; it leaves the kernel programmed (Felix does not remove rules on exit).
 */
import type {CalcMessage} from '../calc/messages.js'

export interface Dataplane {
  onUpdate(msg: CalcMessage): void
  apply(): Promise<void>
  close(): Promise<void>
}
