/**
 * A progress bar on stderr for operations over many resources — only on an interactive terminal
 * (never in CI logs or pipes) and only past a threshold, so short runs print nothing extra.
 */
import {io} from './io.js'

export interface Progress {
  /** Marks `count` more items done. */
  advance(count?: number): void
  stop(): void
}

const SILENT: Progress = {advance: () => undefined, stop: () => undefined}

/** At least this many items before a bar is worth drawing. */
export const PROGRESS_THRESHOLD = 200

export async function startProgress(label: string, total: number): Promise<Progress> {
  if (total < PROGRESS_THRESHOLD || !io.stderr.isTTY || process.env.CI) return SILENT
  const {default: cliProgress} = await import('cli-progress')
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 500,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0)
  let done = 0
  return {
    advance: (count = 1) => {
      done += count
      bar.update(done)
    },
    stop: () => bar.stop(),
  }
}
