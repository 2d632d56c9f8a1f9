// The selector module's one door: Calico's label-selector language (libcalico-go v3.32) plus the
// policy-level rewriting Calico applies before Felix sees a policy. Pure: no I/O, no clock.
import {parseToAst} from './parser.js'
import {printSelector} from './print.js'
import {type Selector, selectorFromAst} from './selector.js'
import {SelectorParseError} from './errors.js'
import {trimGoSpace} from './trim.js'

export type {
  AllNode,
  AndNode,
  GlobalNode,
  HasNode,
  LabelNode,
  LabelSetNode,
  LabelValueNode,
  NotNode,
  OrNode,
  SelectorNode,
  SetOperator,
  ValueOperator,
} from './ast.js'
export {collectLabelKeys, compareGoStrings, renameLabels, toValueSet} from './ast.js'
export {SelectorParseError} from './errors.js'
export type {LabelMap, LabelRecord, Labels} from './evaluate.js'
export {evaluateAst} from './evaluate.js'
export type {Token, TokenKind} from './lexer.js'
export {MAX_LABEL_LENGTH, isValidLabelKey, tokenize as tokenizeSelector} from './lexer.js'
export {MAX_NESTING_DEPTH} from './parser.js'
export {printSelector} from './print.js'
export type {Selector} from './selector.js'
export {selectorFromAst, selectorUniqueId} from './selector.js'
export * from './policy-selectors.js'

/**
 * Parses a selector (Calico's parser.Parse). Empty or space/tab-only text is `all()`.
 * @throws SelectorParseError, and nothing else, for any input string.
 */
export function parseSelector(text: string): Selector {
  return selectorFromAst(parseToAst(text))
}

/** Calico's selector.Validate: the parse error for bad text, undefined for good text. */
export function validateSelector(text: string): SelectorParseError | undefined {
  try {
    parseToAst(text)
    return undefined
  } catch (err) {
    if (err instanceof SelectorParseError) return err
    throw err
  }
}

/**
 * Calico's selector.Normalise: trims (Go's TrimSpace) and re-prints in canonical form, so "" gives
 * "all()". Like Go, text that does not parse comes back trimmed but otherwise unchanged; it never
 * throws.
 */
export function normaliseSelector(text: string): string {
  const trimmed = trimGoSpace(text)
  try {
    return printSelector(parseToAst(trimmed))
  } catch (err) {
    if (err instanceof SelectorParseError) return trimmed
    throw err
  }
}
