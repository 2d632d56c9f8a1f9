/**
 * Go's time.Duration text form: time.ParseDuration (what metav1.Duration's UnmarshalJSON uses) and
 * Duration.String (what it marshals back), so "1m" round-trips to "1m0s" as it does in Calico.
 */

const NANOSECONDS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}

const MAX_MAGNITUDE = 1n << 63n

/** Go's time.quote: the text in double quotes (non-printable characters escaped). */
function quote(text: string): string {
  return JSON.stringify(text)
}

export class DurationParseError extends Error {}

/** time.ParseDuration: the duration in nanoseconds, or a DurationParseError with Go's message. */
export function parseGoDuration(original: string): bigint {
  const invalid = (): DurationParseError => new DurationParseError(`time: invalid duration ${quote(original)}`)
  let text = original
  let negative = false
  if (text !== '' && (text[0] === '-' || text[0] === '+')) {
    negative = text[0] === '-'
    text = text.slice(1)
  }
  if (text === '0') return 0n
  if (text === '') throw invalid()
  let total = 0n
  while (text !== '') {
    if (!/^[0-9.]/.test(text)) throw invalid()
    const intMatch = /^[0-9]*/.exec(text)?.[0] ?? ''
    text = text.slice(intMatch.length)
    let whole = intMatch === '' ? 0n : BigInt(intMatch)
    if (whole > MAX_MAGNITUDE) throw invalid()
    let fraction = ''
    let hasFraction = false
    if (text.startsWith('.')) {
      text = text.slice(1)
      fraction = /^[0-9]*/.exec(text)?.[0] ?? ''
      text = text.slice(fraction.length)
      hasFraction = fraction !== ''
    }
    if (intMatch === '' && !hasFraction) throw invalid()
    const unitText = /^[^0-9.]*/.exec(text)?.[0] ?? ''
    if (unitText === '') throw new DurationParseError(`time: missing unit in duration ${quote(original)}`)
    text = text.slice(unitText.length)
    const unit = NANOSECONDS[unitText]
    if (unit === undefined) {
      throw new DurationParseError(`time: unknown unit ${quote(unitText)} in duration ${quote(original)}`)
    }
    if (whole > MAX_MAGNITUDE / unit) throw invalid()
    whole *= unit
    if (hasFraction) {
      // Go accumulates at most the digits that fit and scales by float; this is exact for all
      // realistic inputs and truncates the same way.
      const digits = fraction.slice(0, 18)
      const scale = 10n ** BigInt(digits.length)
      whole += (BigInt(digits) * unit) / scale
      if (whole > MAX_MAGNITUDE) throw invalid()
    }
    total += whole
    if (total > MAX_MAGNITUDE) throw invalid()
  }
  if (negative) return -total
  if (total > MAX_MAGNITUDE - 1n) throw invalid()
  return total
}

/** Prints the fractional part of value / 10^precision (no trailing zeros, no dot when zero). */
function fraction(value: bigint, precision: number): {text: string; rest: bigint} {
  let digits = ''
  let printing = false
  let rest = value
  for (let i = 0; i < precision; i++) {
    const digit = rest % 10n
    printing = printing || digit !== 0n
    if (printing) digits = `${digit}${digits}`
    rest /= 10n
  }
  return {text: printing ? `.${digits}` : '', rest}
}

/** Duration.String: "1h2m3.5s", "1.5ms", "0s". */
export function formatGoDuration(nanoseconds: bigint): string {
  const negative = nanoseconds < 0n
  let u = negative ? -nanoseconds : nanoseconds
  let out: string
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s'
    let unit: string
    let precision: number
    if (u < 1_000n) {
      unit = 'ns'
      precision = 0
    } else if (u < 1_000_000n) {
      unit = '\u00b5s'
      precision = 3
    } else {
      unit = 'ms'
      precision = 6
    }
    const frac = fraction(u, precision)
    out = `${frac.rest}${frac.text}${unit}`
  } else {
    const frac = fraction(u, 9)
    u = frac.rest
    out = `${u % 60n}${frac.text}s`
    u /= 60n
    if (u > 0n) {
      out = `${u % 60n}m${out}`
      u /= 60n
      if (u > 0n) out = `${u}h${out}`
    }
  }
  return negative ? `-${out}` : out
}
