/**
 * Interactive confirmation for destructive commands. It asks only when both stdin and stderr are
 * terminals (the prompt is drawn on stderr, so stdout stays clean for scripts); `--yes` skips
 * it. Without a terminal the command never blocks waiting for input: it proceeds as calicoctl
 * does, since scripts and CI have nobody to ask. @inquirer/prompts is loaded only when a
 * question is actually asked.
 */
import {io} from './io.js'

export interface ConfirmOptions {
  /** `--yes` was given: do not ask. */
  yes: boolean
  /** The answer when the user just presses enter. */
  defaultAnswer?: boolean
}

/** Whether a question can be asked at all (stdin and stderr are terminals). */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY) && io.stderr.isTTY
}

/**
 * Asks `message` (yes/no) when possible; resolves true when the action may proceed: `--yes`,
 * no terminal to ask on, or the user said yes. Ctrl-C counts as no.
 */
export async function confirmAction(message: string, options: ConfirmOptions): Promise<boolean> {
  if (options.yes || !canPrompt()) return true
  const {confirm} = await import('@inquirer/prompts')
  try {
    return await confirm({message, default: options.defaultAnswer ?? false}, {output: process.stderr})
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') return false
    throw error
  }
}
