/**
 * A Dataplane that only records what it was given, for agent tests: every message in order, and a
 * snapshot of the message count at each apply(). `failNextApply` makes the next apply reject.
 */
import type {CalcMessage} from '../calc/messages.js'
import type {Dataplane} from './dataplane.js'

export class RecordingDataplane implements Dataplane {
  readonly messages: CalcMessage[] = []
  /** For each apply() call: how many messages had been received when it ran. */
  readonly applies: number[] = []
  inSync = false
  closed = false
  failNextApply: Error | undefined

  onUpdate(msg: CalcMessage): void {
    if (this.closed) throw new Error('onUpdate after close')
    if (msg.type === 'InSync') this.inSync = true
    this.messages.push(msg)
  }

  async apply(): Promise<void> {
    const failure = this.failNextApply
    this.failNextApply = undefined
    if (failure !== undefined) throw failure
    this.applies.push(this.messages.length)
  }

  async close(): Promise<void> {
    this.closed = true
  }
}
