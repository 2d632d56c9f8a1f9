/**
 * strconv.FormatFloat for float64, digit for digit: shortest digits for precision -1, otherwise
 * the exact binary value rounded half-to-even, then Go's %e / %f / %g layout (two-digit exponents,
 * `%g` switching to exponent form at exp < -4 or exp >= precision, 6 for shortest).
 */

/** Decimal digits `d` (no leading zeros) with the decimal point `dp` places from their left. */
interface Decimal {
  d: string
  dp: number
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G'

export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return '+Inf'
  if (x === -Infinity) return '-Inf'
  const neg = x < 0 || Object.is(x, -0)
  const ax = Math.abs(x)
  const shortest = prec < 0
  let digs: Decimal
  if (ax === 0) digs = {d: '', dp: 0}
  else if (shortest) digs = shortestDecimal(ax)
  else {
    digs = exactDecimal(ax)
    if (fmt === 'e' || fmt === 'E') digs = round(digs, prec + 1)
    else if (fmt === 'f') digs = round(digs, digs.dp + prec)
    else {
      if (prec === 0) prec = 1
      digs = round(digs, prec)
    }
  }
  if (shortest) {
    const nd = digs.d.length
    if (fmt === 'e' || fmt === 'E') prec = Math.max(nd - 1, 0)
    else if (fmt === 'f') prec = Math.max(nd - digs.dp, 0)
    else prec = nd
  }
  const sign = neg ? '-' : ''
  switch (fmt) {
    case 'e':
    case 'E':
      return sign + fmtE(digs, prec, fmt)
    case 'f':
      return sign + fmtF(digs, prec)
    default: {
      const nd = digs.d.length
      let eprec = prec
      if (eprec > nd && nd >= digs.dp) eprec = nd
      if (shortest) eprec = 6
      const exp = digs.dp - 1
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd
        return sign + fmtE(digs, prec - 1, fmt === 'g' ? 'e' : 'E')
      }
      if (prec > digs.dp) prec = nd
      return sign + fmtF(digs, Math.max(prec - digs.dp, 0))
    }
  }
}

function fmtE(digs: Decimal, prec: number, e: 'e' | 'E'): string {
  const nd = digs.d.length
  let s = nd === 0 ? '0' : digs.d[0]
  if (prec > 0) {
    s += '.'
    const m = Math.min(nd, prec + 1)
    let i = 1
    if (i < m) {
      s += digs.d.slice(i, m)
      i = m
    }
    for (; i <= prec; i++) s += '0'
  }
  let exp = nd === 0 ? 0 : digs.dp - 1
  const expSign = exp < 0 ? '-' : '+'
  exp = Math.abs(exp)
  return `${s}${e}${expSign}${exp < 10 ? '0' : ''}${exp}`
}

function fmtF(digs: Decimal, prec: number): string {
  const nd = digs.d.length
  let s = ''
  if (digs.dp > 0) {
    const m = Math.min(nd, digs.dp)
    s = digs.d.slice(0, m) + '0'.repeat(digs.dp - m)
  } else s = '0'
  if (prec > 0) {
    s += '.'
    for (let i = 1; i <= prec; i++) {
      const j = digs.dp + i - 1
      s += j >= 0 && j < nd ? digs.d[j] : '0'
    }
  }
  return s
}

/** The shortest digits that read back as x: JS's toExponential() makes the same choice as Go. */
function shortestDecimal(x: number): Decimal {
  const [mant, exp] = x.toExponential().split('e')
  return {d: mant.replace('.', ''), dp: Number(exp) + 1}
}

/** The exact decimal expansion of a positive finite double. */
function exactDecimal(x: number): Decimal {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const hi = view.getUint32(0)
  const lo = view.getUint32(4)
  const expBits = (hi >>> 20) & 0x7ff
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let e2: number
  if (expBits === 0) e2 = -1074
  else {
    mant |= 1n << 52n
    e2 = expBits - 1075
  }
  let d: string
  let dp: number
  if (e2 >= 0) {
    d = (mant << BigInt(e2)).toString()
    dp = d.length
  } else {
    d = (mant * 5n ** BigInt(-e2)).toString()
    dp = d.length + e2
  }
  return {d: d.replace(/0+$/, ''), dp}
}

/** strconv's decimal.Round: keep nd digits, half-to-even at an exact tie. nd < 0 leaves it alone. */
function round(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a
  const next = a.d[nd]
  let up: boolean
  if (next === '5' && nd + 1 === a.d.length) up = nd > 0 && Number(a.d[nd - 1]) % 2 === 1
  else up = next >= '5'
  if (!up) {
    const d = a.d.slice(0, nd).replace(/0+$/, '')
    return {d, dp: d === '' ? 0 : a.dp}
  }
  let i = nd - 1
  while (i >= 0 && a.d[i] === '9') i--
  if (i < 0) return {d: '1', dp: a.dp + 1}
  return {d: a.d.slice(0, i) + String(Number(a.d[i]) + 1), dp: a.dp}
}
