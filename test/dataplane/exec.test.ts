/** The exec shim with real children: streamed stdin, a child that stops reading, a failing stream. */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {ExecError, runCmd} from '../../src/dataplane/exec.js'

async function* pieces(count: number, size: number, onPiece?: (i: number) => void): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    onPiece?.(i)
    await new Promise((resolve) => setImmediate(resolve))
    yield `${String(i).padStart(8, '0')}${'x'.repeat(size - 9)}\n`
  }
}

describe('exec shim: streamed stdin', () => {
  it('writes every piece in order, at the pace the child reads', async () => {
    const {stdout} = await runCmd({argv: ['sh', '-c', 'wc -c; sleep 0.01'], stdin: pieces(40, 100_000)})
    assert.equal(Number(stdout.trim()), 40 * 100_000)
    const {stdout: heads} = await runCmd({argv: ['cut', '-c1-8'], stdin: pieces(5, 1000)})
    assert.deepEqual(heads.trim().split('\n'), ['00000000', '00000001', '00000002', '00000003', '00000004'])
  })

  it('a child that exits before reading everything: the call rejects with its status, nothing hangs', async () => {
    let pulled = 0
    const error = await runCmd({argv: ['sh', '-c', 'head -c 10 >/dev/null; exit 3'], stdin: pieces(1000, 100_000, (i) => (pulled = i + 1))}).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof ExecError && error.code === 3, String(error))
    assert.ok(pulled < 1000, `the stream stopped being read (${pulled} pieces pulled)`)
  })

  it('a stream that throws kills the child and rejects with the stream error', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'first\n'
      throw new Error('render failed')
    }
    // Without the kill, `cat` would wait for more input until the time limit.
    const started = Date.now()
    await assert.rejects(runCmd({argv: ['cat'], stdin: failing(), timeoutMs: 20_000}), /render failed/)
    assert.ok(Date.now() - started < 5_000)
  })
})
