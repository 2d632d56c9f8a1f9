/**
 * Go's text/tabwriter, ported for the settings calicoctl uses (`NewWriter(out, 5, 1, 3, ' ', 0)`)
 * and its other plain options. Semantics kept exactly:
 *
 * - Cells are *terminated* by '\t' (or '\v'); the text after a line's last tab is a trailing
 *   cell that belongs to no column and is written unpadded.
 * - A column is a run of consecutive lines that all have a cell at that index; its width is
 *   max(minwidth, widest cell + padding), widths counted in code points.
 * - Every cell of a column, the last terminated one included, is padded to that width, so a
 *   line ending in "\t" ends in spaces.
 * - '\n' ends a line; '\f' ends a line and flushes (columns restart below it); a line made of a
 *   single cell also flushes, exactly as Go's Write does.
 *
 * Not ported: FilterHTML, StripEscape/Escape sequences, TabIndent and Debug flags.
 */

export interface TabWriterOptions {
  minwidth: number
  tabwidth: number
  padding: number
  padchar: string
  alignRight?: boolean
  discardEmptyColumns?: boolean
}

/** calicoctl's printer.go: tabwriter.NewWriter(os.Stdout, 5, 1, 3, ' ', 0). */
export const CALICOCTL_TABWRITER: TabWriterOptions = {minwidth: 5, tabwidth: 1, padding: 3, padchar: ' '}

interface Cell {
  text: string
  width: number
  htab: boolean
}

export class TabWriter {
  private out = ''
  private lines: Cell[][] = [[]]
  private cell = ''
  private widths: number[] = []

  constructor(private readonly opts: TabWriterOptions = CALICOCTL_TABWRITER) {}

  write(text: string): void {
    for (const ch of text) {
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') {
        this.cell += ch
        continue
      }
      const ncells = this.terminateCell(ch === '\t')
      if (ch === '\n' || ch === '\f') {
        this.lines.push([])
        if (ch === '\f' || ncells === 1) this.flushBuffered()
      }
    }
  }

  /** Formats everything buffered; returns (and clears) all output produced so far. */
  flush(): string {
    this.flushBuffered()
    const out = this.out
    this.out = ''
    return out
  }

  private flushBuffered(): void {
    if (this.cell.length > 0) this.terminateCell(false)
    this.format(0, this.lines.length)
    this.lines = [[]]
    this.widths = []
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1]
    line.push({text: this.cell, width: [...this.cell].length, htab})
    this.cell = ''
    return line.length
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length
    for (let t = line0; t < line1; t++) {
      if (column >= this.lines[t].length - 1) continue
      // A cell exists in this column: this line starts a column block.
      this.writeLines(line0, t)
      line0 = t
      let width = this.opts.minwidth
      let discardable = true
      for (; t < line1; t++) {
        const line = this.lines[t]
        if (column >= line.length - 1) break
        const c = line[column]
        width = Math.max(width, c.width + this.opts.padding)
        if (c.width > 0 || c.htab) discardable = false
      }
      if (discardable && this.opts.discardEmptyColumns) width = 0
      this.widths.push(width)
      this.format(line0, t)
      this.widths.pop()
      line0 = t
      t--
    }
    this.writeLines(line0, line1)
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]
      line.forEach((c, j) => {
        const padded = j < this.widths.length
        if (this.opts.alignRight && padded) this.writePadding(c.width, this.widths[j])
        this.out += c.text
        if (!this.opts.alignRight && padded) this.writePadding(c.width, this.widths[j])
      })
      // The buffer's last line has no newline yet (it is still being written).
      if (i + 1 < this.lines.length) this.out += '\n'
    }
  }

  private writePadding(textw: number, cellw: number): void {
    if (this.opts.padchar === '\t') {
      if (this.opts.tabwidth === 0) return
      const w = Math.ceil(cellw / this.opts.tabwidth) * this.opts.tabwidth
      this.out += '\t'.repeat(Math.ceil((w - textw) / this.opts.tabwidth))
      return
    }
    this.out += this.opts.padchar.repeat(cellw - textw)
  }
}

/** Runs text through a fresh writer and flushes it. */
export function tabwrite(text: string, opts: TabWriterOptions = CALICOCTL_TABWRITER): string {
  const w = new TabWriter(opts)
  w.write(text)
  return w.flush()
}
