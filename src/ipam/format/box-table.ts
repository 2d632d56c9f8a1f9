/**
 * The ASCII box tables calicoctl's ipam commands print (olekukonko/tablewriter v0.0.5 with its
 * defaults): `+---+` rules, headers upper-cased and centred, cells padded by one space, numeric
 * cells right-aligned and everything else left-aligned, a rule under the header and one at the
 * end. Cells are not wrapped (tablewriter wraps cells over 30 characters at spaces; no ipam
 * cell has both).
 */

const DECIMAL = /^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$/
const PERCENT = /^-?\d+\.?\d*%$/

/** tablewriter's Title(): '_' and a '.' not between digits become spaces; trimmed; upper case. */
function title(name: string): string {
  const chars = [...name]
  chars.forEach((c, i) => {
    if (c === '_') chars[i] = ' '
    else if (c === '.') {
      const around = (j: number) => j < 0 || j >= chars.length || /[0-9 ]/.test(chars[j])
      if (!around(i - 1) || !around(i + 1)) chars[i] = ' '
    }
  })
  const trimmed = chars.join('').trim()
  return (trimmed === '' && name !== '' ? ' ' : trimmed).toUpperCase()
}

function width(text: string): number {
  return [...text].length
}

function centre(text: string, w: number): string {
  const gap = w - width(text)
  if (gap <= 0) return text
  const left = Math.floor(gap / 2)
  return ' '.repeat(left) + text + ' '.repeat(gap - left)
}

function align(text: string, w: number): string {
  const pad = ' '.repeat(Math.max(0, w - width(text)))
  const trimmed = text.trim()
  return DECIMAL.test(trimmed) || PERCENT.test(trimmed) ? pad + text : text + pad
}

export function renderBoxTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const heads = headers.map(title)
  const widths = heads.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))))
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`
  const line = (cells: string[]) => `| ${cells.join(' | ')} |\n`
  let out = rule + line(heads.map((h, i) => centre(h, widths[i]))) + rule
  for (const row of rows) out += line(widths.map((w, i) => align(row[i] ?? '', w)))
  return out + rule
}
