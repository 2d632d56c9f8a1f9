/**
 * The one error type the selector module throws.
 *
 * `message` is exactly the text libcalico-go's tokenizer/parser gives for the same input (v3.32), so
 * diagnostics can be compared with Go calicoctl. Go reports no position; `position` is ours: the
 * 0-based UTF-16 index into `selector` of the character or token at which the problem was found
 * (`selector.length` when the input ended too early).
 */
export class SelectorParseError extends Error {
  readonly position: number
  readonly selector: string

  constructor(message: string, position: number, selector: string) {
    super(message)
    this.name = 'SelectorParseError'
    this.position = position
    this.selector = selector
  }
}
