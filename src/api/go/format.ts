/**
 * Number formatting the way Go's strconv/fmt print it. Calico's messages and sigs.k8s.io/yaml's
 * scalar coercion are built with these, so the text must match byte for byte.
 */

/** Splits a finite, non-zero number's shortest round-trip digits into digits + decimal exponent. */
function shortestDigits(value: number, float32: boolean): {digits: string; pointPos: number} {
  let text: string
  if (float32) {
    const target = Math.fround(value)
    text = target.toPrecision(9)
    for (let precision = 1; precision <= 9; precision++) {
      const candidate = target.toPrecision(precision)
      if (Math.fround(Number(candidate)) === target) {
        text = candidate
        break
      }
    }
  } else {
    text = Math.abs(value).toExponential()
  }
  const [mantissa, exponent] = Math.abs(Number(text)).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  return {digits: digits.replace(/0+$/, '') || '0', pointPos: Number(exponent) + 1}
}

/**
 * strconv.FormatFloat(v, 'g', -1, bits), which is also fmt's %v for floats: the shortest digits
 * that round-trip, in %e notation when the decimal exponent is below -4 or at least 6 (Go uses 6
 * as the precision for that decision when the shortest form is asked for), e.g. 1e+06, 123456.
 */
export function formatFloatG(value: number, bits: 32 | 64 = 64): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const sign = value < 0 ? '-' : ''
  const {digits, pointPos} = shortestDigits(Math.abs(value), bits === 32)
  const exp = pointPos - 1
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const expSign = exp < 0 ? '-' : '+'
    const expDigits = String(Math.abs(exp)).padStart(2, '0')
    return `${sign}${mantissa}e${expSign}${expDigits}`
  }
  if (pointPos <= 0) return `${sign}0.${'0'.repeat(-pointPos)}${digits}`
  if (pointPos >= digits.length) return `${sign}${digits}${'0'.repeat(pointPos - digits.length)}`
  return `${sign}${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`
}

