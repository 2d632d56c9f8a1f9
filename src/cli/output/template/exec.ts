/**
 * text/template's executor (exec.go) over the JSON value model. Data objects behave as Go maps
 * whose keys may be named by Go struct field names (see resolveField); missing keys are Go's
 * invalid value, printing `<no value>`. Errors read as Go's:
 *   template: get:<line>:<col>: executing "get" at <node>: <message>
 */

import {formatValue} from '../gofmt.js'
import {GoFloat, type GoObject, type GoValue, goTypeName, isObject, kindOf, mapKeys, MISSING} from '../govalue.js'
import type {ParamType, TemplateFunc} from './funcs.js'
import {truth} from './funcs.js'
import {type AnyNode, type ArgNode, type BranchNode, type CommandNode, type FieldNode, type ListNode, type Node, nodeString} from './nodes.js'
import type {PipeNode, RangeNode, VariableNode, ChainNode, IdentifierNode} from './nodes.js'
import {TemplateError} from './parser.js'

/** Go's missingVal: "no value was piped in", distinct from a piped-in invalid value. */
const NO_FINAL: unique symbol = Symbol('no final')
type Final = GoValue | typeof NO_FINAL

class BreakSignal {}
class ContinueSignal {}

export interface ExecOptions {
  name: string
  text: string
  funcs: ReadonlyMap<string, TemplateFunc>
}

export function execute(root: ListNode, data: GoValue, opts: ExecOptions): string {
  const s = new State(opts, data)
  s.walk(data, root)
  return s.out.join('')
}

class State {
  out: string[] = []
  private vars: {name: string; value: GoValue}[]
  private node: AnyNode | undefined

  constructor(
    private readonly opts: ExecOptions,
    private readonly root: GoValue,
  ) {
    this.vars = [{name: '$', value: root}]
  }

  // ---- errors ----
  private errorf(message: string): never {
    const n = this.node
    if (!n) throw new TemplateError(`template: ${this.opts.name}: ${message}`)
    const before = this.opts.text.slice(0, n.pos)
    const line = before.split('\n').length
    const nl = before.lastIndexOf('\n')
    const col = nl < 0 ? n.pos : n.pos - (nl + 1)
    throw new TemplateError(
      `template: ${this.opts.name}:${line}:${col}: executing "${this.opts.name}" at <${nodeString(n)}>: ${message}`,
    )
  }

  private at(n: AnyNode): void {
    this.node = n
  }

  // ---- variables ----
  private mark(): number {
    return this.vars.length
  }

  private pop(mark: number): void {
    this.vars.length = mark
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value
        return
      }
    }
    this.errorf(`undefined variable: ${name}`)
  }

  private setTopVar(n: number, value: GoValue): void {
    this.vars[this.vars.length - n].value = value
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value
    this.errorf(`undefined variable: ${name}`)
  }

  // ---- statements ----
  walk(dot: GoValue, node: Node): void {
    this.at(node)
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe)
        if (node.pipe.decl.length === 0) this.out.push(formatValue(val))
        return
      }
      case 'break':
        throw new BreakSignal()
      case 'continue':
        throw new ContinueSignal()
      case 'if':
      case 'with':
        return this.walkIfOrWith(node.type, dot, node)
      case 'list':
        for (const n of node.nodes) this.walk(dot, n)
        return
      case 'range':
        return this.walkRange(dot, node)
      case 'text':
        this.out.push(node.text)
        return
    }
  }

  private walkIfOrWith(kind: 'if' | 'with', dot: GoValue, node: BranchNode): void {
    const mark = this.mark()
    try {
      const val = this.evalPipeline(dot, node.pipe)
      if (truth(val)) this.walk(kind === 'with' ? val : dot, node.list)
      else if (node.elseList) this.walk(dot, node.elseList)
    } finally {
      this.pop(mark)
    }
  }

  private walkRange(dot: GoValue, r: RangeNode): void {
    this.at(r)
    const outer = this.mark()
    try {
      const val = this.evalPipeline(dot, r.pipe)
      const mark = this.mark()
      const decl = r.pipe.decl
      const one = (index: GoValue, elem: GoValue): boolean => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem)
          else this.setTopVar(1, elem)
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem)
          else this.setTopVar(2, index)
        }
        try {
          this.walk(elem, r.list)
        } catch (e) {
          if (e instanceof BreakSignal) return false
          if (!(e instanceof ContinueSignal)) throw e
        } finally {
          this.pop(mark)
        }
        return true
      }
      let ran = false
      switch (kindOf(val)) {
        case 'slice':
          for (const [i, e] of (val as readonly GoValue[]).entries()) {
            ran = true
            if (!one(i, e)) break
          }
          break
        case 'map': {
          const m = val as GoObject
          for (const k of mapKeys(m)) {
            ran = true
            if (!one(k, m[k] ?? null)) break
          }
          break
        }
        case 'int':
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`)
          for (let i = 0; i < (val as number); i++) {
            ran = true
            if (!one(i, i)) break
          }
          break
        case 'missing':
        case 'nil':
          break
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`)
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList)
    } finally {
      this.pop(outer)
    }
  }

  // ---- expressions ----
  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    this.at(pipe)
    let value: Final = NO_FINAL
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value)
      // Go digs a nil out of its interface here, leaving an invalid value.
      if (value === null) value = MISSING
    }
    const result = value === NO_FINAL ? MISSING : value
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], result)
      else this.vars.push({name: v.ident[0], value: result})
    }
    return result
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0]
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final)
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final)
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final)
      case 'pipe':
        this.notAFunction(cmd.args, final)
        return this.evalPipeline(dot, first)
      case 'variable':
        return this.evalVariableNode(first, cmd.args, final)
    }
    this.at(first)
    this.notAFunction(cmd.args, final)
    switch (first.type) {
      case 'bool':
        return first.value
      case 'dot':
        return dot
      case 'nil':
        this.errorf('nil is not a command')
      // falls through (errorf never returns)
      case 'number':
        return first.isFloat ? new GoFloat(first.value) : first.value
      case 'string':
        return first.text
    }
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`)
  }

  private evalFieldNode(dot: GoValue, field: FieldNode, args: readonly ArgNode[], final: Final): GoValue {
    this.at(field)
    return this.evalFieldChain(dot, field.ident, args, final)
  }

  private evalChainNode(dot: GoValue, chain: ChainNode, args: readonly ArgNode[], final: Final): GoValue {
    this.at(chain)
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`)
    const pipe = this.evalArg(dot, 'value', chain.node)
    this.at(chain)
    return this.evalFieldChain(pipe, chain.field, args, final)
  }

  private evalVariableNode(v: VariableNode, args: readonly ArgNode[], final: Final): GoValue {
    this.at(v)
    const value = this.varValue(v.ident[0])
    if (v.ident.length === 1) {
      this.notAFunction(args, final)
      return value
    }
    return this.evalFieldChain(value, v.ident.slice(1), args, final)
  }

  private evalFieldChain(receiver: GoValue, ident: readonly string[], args: readonly ArgNode[], final: Final): GoValue {
    let r = receiver
    for (const name of ident.slice(0, -1)) r = this.evalField(name, [], NO_FINAL, r)
    return this.evalField(ident[ident.length - 1], args, final, r)
  }

  private evalField(name: string, args: readonly ArgNode[], final: Final, receiver: GoValue): GoValue {
    const k = kindOf(receiver)
    if (k === 'missing' || k === 'nil') return MISSING
    if (isObject(receiver)) {
      if (args.length > 1 || final !== NO_FINAL) this.errorf(`${name} is not a method but has arguments`)
      return resolveField(receiver, name)
    }
    const type = receiver === this.root && k === 'slice' ? '[]runtime.Object' : goTypeName(receiver)
    this.errorf(`can't evaluate field ${name} in type ${type}`)
  }

  private evalFunction(dot: GoValue, node: IdentifierNode, cmd: AnyNode, args: readonly ArgNode[], final: Final): GoValue {
    this.at(node)
    const fn = this.opts.funcs.get(node.ident)
    if (!fn) this.errorf(`"${node.ident}" is not a defined function`)
    return this.evalCall(dot, fn, cmd, node.ident, args.slice(1), final)
  }

  private evalCall(dot: GoValue, fn: TemplateFunc, cmd: AnyNode, name: string, args: readonly ArgNode[], final: Final): GoValue {
    const numIn = args.length + (final === NO_FINAL ? 0 : 1)
    const fixed = fn.params.length
    if (fn.variadic) {
      if (numIn < fixed) this.errorf(`wrong number of args for ${name}: want at least ${fixed} got ${args.length}`)
    } else if (numIn !== fixed) this.errorf(`wrong number of args for ${name}: want ${fixed} got ${numIn}`)
    const paramType = (i: number): ParamType => (i < fixed ? fn.params[i] : (fn.variadic ?? 'any'))

    if (name === 'and' || name === 'or') {
      let v: GoValue = MISSING
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg)
        if (truth(v) === (name === 'or')) return v
      }
      return final === NO_FINAL ? v : final
    }

    const argv = args.map((a, i) => this.evalArg(dot, paramType(i), a))
    if (final !== NO_FINAL) argv.push(this.validateType(final, paramType(argv.length)))
    try {
      return fn.call(argv)
    } catch (e) {
      this.at(cmd)
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  private evalArg(dot: GoValue, typ: ParamType, n: ArgNode): GoValue {
    this.at(n)
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ)
      case 'nil':
        if (typ === 'string' || typ === 'int') this.errorf(`cannot assign nil to ${typ}`)
        return null
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], NO_FINAL), typ)
      case 'variable':
        return this.validateType(this.evalVariableNode(n, [], NO_FINAL), typ)
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ)
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, [n], NO_FINAL), typ)
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, [], NO_FINAL), typ)
    }
    if (typ === 'string') {
      if (n.type !== 'string') this.errorf(`expected string; found ${nodeString(n)}`)
      return n.text
    }
    if (typ === 'int') {
      if (n.type !== 'number' || n.isFloat) this.errorf(`expected integer; found ${nodeString(n)}`)
      return n.value
    }
    switch (n.type) {
      case 'bool':
        return n.value
      case 'number':
        return n.isFloat ? new GoFloat(n.value) : n.value
      case 'string':
        return n.text
    }
  }

  private validateType(value: GoValue, typ: ParamType): GoValue {
    const k = kindOf(value)
    if (k === 'missing') {
      if (typ === 'value') return MISSING
      if (typ === 'any') return null
      this.errorf(`invalid value; expected ${typ}`)
    }
    if (typ === 'string' && k !== 'string') this.errorf(`wrong type for value; expected string; got ${goTypeName(value)}`)
    if (typ === 'int' && k !== 'int') this.errorf(`wrong type for value; expected int; got ${goTypeName(value)}`)
    return value
  }
}

/**
 * A field of a JSON object named the way calicoctl users name Go struct fields:
 * `.ObjectMeta` / `.ListMeta` are `metadata`, `.TypeMeta` is the object itself (its Kind and
 * APIVersion are top-level keys), ObjectMeta's fields are promoted (`.Name`, `.Labels` …), and
 * any other name matches a key exactly or else case-insensitively (`.Spec.CIDR` → spec.cidr).
 */
export function resolveField(obj: GoObject, name: string): GoValue {
  const topLevel = typeof obj.kind === 'string' && typeof obj.apiVersion === 'string'
  if (topLevel && (name === 'ObjectMeta' || name === 'ListMeta')) return obj.metadata ?? {}
  if (topLevel && name === 'TypeMeta') return obj
  const direct = lookup(obj, name)
  if (direct !== MISSING) return direct
  if (topLevel && isObject(obj.metadata)) return lookup(obj.metadata, name)
  return MISSING
}

function lookup(obj: GoObject, name: string): GoValue {
  const lower = name.toLowerCase()
  const key = obj[name] !== undefined ? name : Object.keys(obj).find((k) => k.toLowerCase() === lower && obj[k] !== undefined)
  if (key === undefined) return MISSING
  return asGoTyped(key, obj[key] ?? null)
}

/**
 * The few typed fields whose Go printing differs from their JSON: policy and tier `order` is a
 * *float64 (a million prints as 1e+06); metav1.Time prints as Go's Time.String().
 */
function asGoTyped(key: string, v: GoValue): GoValue {
  if (key === 'order' && typeof v === 'number') return new GoFloat(v)
  if ((key === 'creationTimestamp' || key === 'deletionTimestamp') && typeof v === 'string') return goTimeString(v)
  return v
}

/** metav1.Time as fmt prints it, in UTC: "2006-01-02 15:04:05 +0000 UTC". */
function goTimeString(rfc3339: string): string {
  const t = new Date(rfc3339)
  if (Number.isNaN(t.getTime())) return rfc3339
  return `${t.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '')} +0000 UTC`
}
