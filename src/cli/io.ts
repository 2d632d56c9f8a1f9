/**
 * Where the CLI's output goes. Everything the CLI prints passes through these two sinks, which
 * default to the process streams; in-process tests swap them to capture output without touching
 * process.stdout (which the test runner itself uses).
 */

export interface OutputSink {
  write(text: string): void
  /** Whether the sink is an interactive terminal (colour and progress bars only then). */
  readonly isTTY: boolean
}

function processSink(stream: NodeJS.WriteStream): OutputSink {
  return {
    write: (text) => {
      stream.write(text)
    },
    get isTTY() {
      return Boolean(stream.isTTY)
    },
  }
}

export const io: {stdout: OutputSink; stderr: OutputSink} = {
  stdout: processSink(process.stdout),
  stderr: processSink(process.stderr),
}

/** Replaces the sinks; returns a function that restores the previous ones. */
export function redirectOutput(stdout: OutputSink, stderr: OutputSink): () => void {
  const previous = {...io}
  io.stdout = stdout
  io.stderr = stderr
  return () => {
    io.stdout = previous.stdout
    io.stderr = previous.stderr
  }
}
