/**
 * metav1.Time's JSON form: parsed with Go's time.RFC3339 layout (fractional seconds accepted) and
 * written back in UTC at second precision, so "2024-01-01T01:00:00.5+01:00" becomes
 * "2024-01-01T00:00:00Z" exactly as Calico stores it.
 */

const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00'
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

export class TimeParseError extends Error {}

/** Parses RFC 3339 text; returns the UTC text Go would marshal, or throws TimeParseError. */
export function normaliseRFC3339(text: string): string {
  const m = PATTERN.exec(text)
  if (!m) {
    // Go reports the first element of the layout that did not match; for text that is not a
    // timestamp at all that is the year.
    throw new TimeParseError(`parsing time ${JSON.stringify(text)} as ${JSON.stringify(RFC3339_LAYOUT)}: cannot parse ${JSON.stringify(text)} as "2006"`)
  }
  const [, year, month, day, hour, minute, second, , zone] = m
  const checks: Array<[string, number, number, string]> = [
    [month, 1, 12, 'month'],
    [day, 1, 31, 'day'],
    [hour, 0, 23, 'hour'],
    [minute, 0, 59, 'minute'],
    [second, 0, 59, 'second'],
  ]
  for (const [value, min, max, what] of checks) {
    const n = Number(value)
    if (n < min || n > max) throw new TimeParseError(`parsing time ${JSON.stringify(text)}: ${what} out of range`)
  }
  let offsetMinutes = 0
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
  }
  const utc =
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) -
    offsetMinutes * 60_000
  const date = new Date(utc)
  if (date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return date.toISOString()
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  )
}

/** time.Time.String for a UTC RFC 3339 value, as Go's %v prints a metav1.Time. */
export function goTimeString(rfc3339: string | undefined): string {
  if (!rfc3339) return '0001-01-01 00:00:00 +0000 UTC'
  return `${rfc3339.slice(0, 10)} ${rfc3339.slice(11, 19)} +0000 UTC`
}
