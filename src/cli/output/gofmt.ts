/**
 * The parts of Go's fmt that templates reach: `%v` formatting (what `{{.X}}` prints), Sprint,
 * Sprintln and Sprintf with the common verbs, flags, width and precision, including Go's
 * in-band error strings (`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA …)`).
 */

import {formatFloat} from './gofloat.js'
import {type GoValue, goTypeName, kindOf, mapKeys, MISSING, numberOf} from './govalue.js'

/** fmt's `%v` of one value; a missing value prints as templates print it, `<no value>`. */
export function formatValue(v: GoValue | undefined): string {
  if (v === MISSING) return '<no value>'
  return printArg(v, 'v', noFlags())
}

/** fmt.Sprint: a space between operands when neither side is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = ''
  let prevString = false
  args.forEach((a, i) => {
    const isString = typeof a === 'string'
    if (i > 0 && !isString && !prevString) out += ' '
    out += printArg(a, 'v', noFlags())
    prevString = isString
  })
  return out
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function sprintln(args: readonly GoValue[]): string {
  return args.map((a) => printArg(a, 'v', noFlags())).join(' ') + '\n'
}

interface Flags {
  minus: boolean
  plus: boolean
  sharp: boolean
  space: boolean
  zero: boolean
  width?: number
  prec?: number
}

function noFlags(): Flags {
  return {minus: false, plus: false, sharp: false, space: false, zero: false}
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = ''
  let argNum = 0
  const chars = [...format]
  for (let i = 0; i < chars.length; ) {
    if (chars[i] !== '%') {
      out += chars[i++]
      continue
    }
    i++
    const f = noFlags()
    for (; i < chars.length; i++) {
      const c = chars[i]
      if (c === '-') f.minus = true
      else if (c === '+') f.plus = true
      else if (c === '#') f.sharp = true
      else if (c === ' ') f.space = true
      else if (c === '0') f.zero = true
      else break
    }
    let badWidth = false
    if (chars[i] === '*') {
      i++
      const w = argNum < args.length ? args[argNum++] : undefined
      if (kindOf(w) === 'int') {
        f.width = Math.abs(w as number)
        if ((w as number) < 0) f.minus = true
      } else badWidth = true
    } else {
      let w = ''
      while (i < chars.length && chars[i] >= '0' && chars[i] <= '9') w += chars[i++]
      if (w !== '') f.width = Number(w)
    }
    let badPrec = false
    if (chars[i] === '.') {
      i++
      if (chars[i] === '*') {
        i++
        const p = argNum < args.length ? args[argNum++] : undefined
        if (kindOf(p) === 'int' && (p as number) >= 0) f.prec = p as number
        else badPrec = true
      } else {
        let p = ''
        while (i < chars.length && chars[i] >= '0' && chars[i] <= '9') p += chars[i++]
        f.prec = Number(p || '0')
      }
    }
    if (f.minus) f.zero = false
    if (badWidth) out += '%!(BADWIDTH)'
    if (badPrec) out += '%!(BADPREC)'
    if (i >= chars.length) {
      out += '%!(NOVERB)'
      break
    }
    const verb = chars[i++]
    if (verb === '%') {
      out += '%'
      continue
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    out += printArg(args[argNum++], verb, f)
  }
  if (argNum < args.length) {
    const extra = args.slice(argNum).map((a) => {
      const k = kindOf(a)
      return k === 'nil' || k === 'missing' ? '<nil>' : `${goTypeName(a)}=${printArg(a, 'v', noFlags())}`
    })
    out += `%!(EXTRA ${extra.join(', ')})`
  }
  return out
}

function printArg(a: GoValue | undefined, verb: string, f: Flags): string {
  const kind = kindOf(a)
  if (verb === 'T') return pad(goTypeName(a), f)
  if (kind === 'nil' || kind === 'missing') return verb === 'v' ? pad('<nil>', f) : `%!${verb}(<nil>)`
  switch (kind) {
    case 'bool':
      return verb === 't' || verb === 'v' ? pad(String(a), f) : badVerb(a, verb)
    case 'int':
      return formatInt(a as number, verb, f) ?? badVerb(a, verb)
    case 'float':
      return formatFloatVerb(numberOf(a) ?? 0, verb, f) ?? badVerb(a, verb)
    case 'string':
      return formatString(a as string, verb, f) ?? badVerb(a, verb)
    case 'slice':
      return `[${(a as readonly GoValue[]).map((e) => printArg(e, verb, f)).join(' ')}]`
    default: {
      const m = a as Record<string, GoValue>
      const parts = mapKeys(m).map((k) => `${printArg(k, verb, f)}:${printArg(m[k], verb, f)}`)
      return `map[${parts.join(' ')}]`
    }
  }
}

function badVerb(a: GoValue | undefined, verb: string): string {
  return `%!${verb}(${goTypeName(a)}=${printArg(a, 'v', noFlags())})`
}

function pad(s: string, f: Flags, zeroOK = false): string {
  const n = [...s].length
  if (f.width === undefined || n >= f.width) return s
  const fill = f.width - n
  if (f.minus) return s + ' '.repeat(fill)
  if (zeroOK && f.zero) {
    const signed = s[0] === '-' || s[0] === '+' || s[0] === ' '
    return signed ? s[0] + '0'.repeat(fill) + s.slice(1) : '0'.repeat(fill) + s
  }
  return ' '.repeat(fill) + s
}

function formatInt(n: number, verb: string, f: Flags): string | undefined {
  const big = BigInt(n)
  const neg = big < 0n
  const abs = neg ? -big : big
  let digits: string
  let prefix = ''
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString()
      break
    case 'b':
      digits = abs.toString(2)
      if (f.sharp) prefix = '0b'
      break
    case 'o':
    case 'O':
      digits = abs.toString(8)
      if (verb === 'O') prefix = '0o'
      else if (f.sharp) prefix = '0'
      break
    case 'x':
      digits = abs.toString(16)
      if (f.sharp) prefix = '0x'
      break
    case 'X':
      digits = abs.toString(16).toUpperCase()
      if (f.sharp) prefix = '0X'
      break
    case 'c':
      return pad(String.fromCodePoint(n), f)
    case 'q':
      return pad(quoteRune(n), f)
    case 'U':
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, f)
    default:
      return undefined
  }
  if (f.prec !== undefined) {
    if (f.prec === 0 && abs === 0n) digits = ''
    digits = digits.padStart(f.prec, '0')
  }
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : ''
  return pad(sign + prefix + digits, f, f.prec === undefined)
}

function formatFloatVerb(x: number, verb: string, f: Flags): string | undefined {
  let s: string
  switch (verb) {
    case 'v':
      s = formatFloat(x, 'g', f.prec ?? -1)
      break
    case 'g':
    case 'G':
      s = formatFloat(x, verb, f.prec ?? -1)
      break
    case 'e':
    case 'E':
      s = formatFloat(x, verb, f.prec ?? 6)
      break
    case 'f':
    case 'F':
      s = formatFloat(x, 'f', f.prec ?? 6)
      break
    default:
      return undefined
  }
  // fmt keeps the sign of +Inf, drops it from NaN unless asked, and never zero-pads either.
  if (s === '+Inf') s = f.space && !f.plus ? ' Inf' : s
  else if (s === 'NaN') s = f.plus ? '+NaN' : f.space ? ' NaN' : s
  else if (s[0] !== '-' && (f.plus || f.space)) s = (f.plus ? '+' : ' ') + s
  return pad(s, f, Number.isFinite(x))
}

function formatString(s: string, verb: string, f: Flags): string | undefined {
  switch (verb) {
    case 'v':
    case 's':
      return pad(f.prec === undefined ? s : [...s].slice(0, f.prec).join(''), f)
    case 'q':
      return pad(quote(s), f)
    case 'x':
    case 'X': {
      const hex = Buffer.from(s, 'utf8').toString('hex')
      return pad(verb === 'X' ? hex.toUpperCase() : hex, f)
    }
    default:
      return undefined
  }
}

/** strconv.Quote: printable runes kept, the rest escaped Go-style. */
export function quote(s: string): string {
  let out = '"'
  for (const ch of s) out += escapeRune(ch, '"')
  return out + '"'
}

function quoteRune(n: number): string {
  return `'${escapeRune(String.fromCodePoint(n), "'")}'`
}

function escapeRune(ch: string, q: string): string {
  const c = ch.codePointAt(0) ?? 0
  if (ch === q || ch === '\\') return '\\' + ch
  switch (ch) {
    case '\x07':
      return '\\a'
    case '\b':
      return '\\b'
    case '\f':
      return '\\f'
    case '\n':
      return '\\n'
    case '\r':
      return '\\r'
    case '\t':
      return '\\t'
    case '\v':
      return '\\v'
  }
  if (c < 0x20 || c === 0x7f) return '\\x' + c.toString(16).padStart(2, '0')
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) return ch
  return c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0')
}
