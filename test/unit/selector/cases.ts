// Table of selector behaviour, each expectation worked out from libcalico-go v3.32
// (selector/tokenizer, selector/parser) by hand, not generated from this implementation. Many rows
// are the Go package's own test inputs (parser_test.go, tokenizer_test.go).

export type LabelSet = Readonly<Record<string, string>>

export interface ParseCase {
  readonly input: string
  /** Calico's Selector.String(). */
  readonly canonical: string
  /**
   * What the canonical text re-prints as, when that differs: Calico prints `!(!x)` as `!!x`, which
   * then parses as `x`.
   */
  readonly reprints?: string
  readonly matches?: readonly LabelSet[]
  readonly nonMatches?: readonly LabelSet[]
}

export interface ErrorCase {
  readonly input: string
  /** Exactly Go's err.Error(). */
  readonly message: string
  /** Our 0-based index of the offending character or token. */
  readonly position: number
}

const a512 = 'a'.repeat(512)
const a513 = 'a'.repeat(513)

export const parseCases: readonly ParseCase[] = [
  // --- parser_test.go selectorTests ---
  {input: `a == "b"`, canonical: `a == "b"`, matches: [{a: 'b'}, {a: 'b', c: 'd'}], nonMatches: [{}, {a: 'c'}, {c: 'd'}]},
  {
    input: `a == "b" && c == "d"`,
    canonical: `(a == "b" && c == "d")`,
    matches: [{a: 'b', c: 'd'}],
    nonMatches: [{}, {a: 'b', c: 'e'}, {a: 'c', c: 'd'}, {c: 'd'}, {a: 'b'}],
  },
  {
    input: `a == "b" || c == "d"`,
    canonical: `(a == "b" || c == "d")`,
    matches: [{a: 'b', c: 'd'}, {a: 'b'}, {c: 'd'}],
    nonMatches: [{}, {a: 'e', c: 'e'}, {c: 'e'}, {a: 'e'}],
  },
  {
    input: `a in {"'", '"', "c"}`,
    canonical: `a in {'"', "'", "c"}`,
    matches: [{a: 'c'}, {a: '"'}, {a: "'"}],
    nonMatches: [{}, {a: 'e'}],
  },
  {
    input: `a not in {"'", '"', "c"}`,
    canonical: `a not in {'"', "'", "c"}`,
    matches: [{}, {a: 'e'}],
    nonMatches: [{a: 'c'}, {a: '"'}, {a: "'"}],
  },
  {input: `a == 'a'`, canonical: `a == "a"`, matches: [{a: 'a'}], nonMatches: [{a: 'b'}, {}]},
  {input: `a != "b"`, canonical: `a != "b"`, matches: [{a: 'a'}, {}], nonMatches: [{a: 'b'}]},
  {input: `a != 'a'`, canonical: `a != "a"`, matches: [{}, {b: 'a'}], nonMatches: [{a: 'a'}]},
  {
    input: `a contains "a"`,
    canonical: `a contains "a"`,
    matches: [{a: 'a'}, {a: 'bab'}, {a: 'aaa', b: 'c'}],
    nonMatches: [{}, {a: 'b'}, {b: 'aaa'}],
  },
  {
    input: `a starts with "a"`,
    canonical: `a starts with "a"`,
    matches: [{a: 'a'}, {a: 'abb'}, {a: 'aaa', b: 'c'}],
    nonMatches: [{}, {a: 'b'}, {a: 'baa'}, {b: 'aaa'}],
  },
  {
    input: `a ends with "a"`,
    canonical: `a ends with "a"`,
    matches: [{a: 'a'}, {a: 'bba'}, {a: 'aaa', b: 'c'}],
    nonMatches: [{}, {a: 'b'}, {a: 'aab'}, {b: 'aaa'}],
  },
  {input: `a in {"a"}`, canonical: `a in {"a"}`, matches: [{a: 'a'}], nonMatches: [{a: 'b'}, {}]},
  {input: `!a in {"a"}`, canonical: `!a in {"a"}`, matches: [{a: 'b'}, {}], nonMatches: [{a: 'a'}]},
  {input: `a in {"a", "b"}`, canonical: `a in {"a", "b"}`, matches: [{a: 'a'}, {a: 'b'}], nonMatches: [{a: 'c'}, {}]},
  {input: `a not in {"d", "e"}`, canonical: `a not in {"d", "e"}`, matches: [{a: 'a'}, {}], nonMatches: [{a: 'd'}, {a: 'e'}]},
  {input: `has(a)`, canonical: `has(a)`, matches: [{a: 'b'}, {a: ''}], nonMatches: [{b: 'b'}, {}]},
  {input: `!has(a)`, canonical: `!has(a)`, matches: [{b: 'b'}, {}], nonMatches: [{a: 'b'}, {a: ''}]},
  {input: ``, canonical: `all()`, matches: [{}, {a: 'b'}]},
  {input: ` `, canonical: `all()`, matches: [{}, {a: 'b'}]},
  {input: `all()`, canonical: `all()`, matches: [{}, {a: 'b'}]},
  {input: ` all()`, canonical: `all()`, matches: [{}]},
  {input: `global()`, canonical: `global()`, matches: [{}, {a: 'b'}]},
  {input: ` global()`, canonical: `global()`, matches: [{}]},
  {input: `has(b)`, canonical: `has(b)`, matches: [{b: ''}], nonMatches: [{a: 'b'}]},
  {input: `!!has(b)`, canonical: `has(b)`, matches: [{b: 'x'}], nonMatches: [{a: 'b'}]},
  {input: `! has(a)`, canonical: `!has(a)`, nonMatches: [{a: 'b'}]},
  {input: `!!! has(a)`, canonical: `!has(a)`, nonMatches: [{a: 'b'}]},
  {input: `!!!has(a)`, canonical: `!has(a)`, nonMatches: [{a: 'b'}]},
  {input: `!! ! has(a)`, canonical: `!has(a)`, nonMatches: [{a: 'b'}]},
  {input: `! !!has(a)`, canonical: `!has(a)`, matches: [{}], nonMatches: [{a: 'b'}]},
  {input: `a == 'a1' && b == 'b1'`, canonical: `(a == "a1" && b == "b1")`, matches: [{a: 'a1', b: 'b1'}]},
  {
    input: `a == 'a1' && b != 'b1'`,
    canonical: `(a == "a1" && b != "b1")`,
    matches: [{a: 'a1'}, {a: 'a1', b: 'x'}],
    nonMatches: [{a: 'a1', b: 'b1'}],
  },
  {input: `a != 'a1' && b == 'b1'`, canonical: `(a != "a1" && b == "b1")`, matches: [{b: 'b1'}], nonMatches: [{a: 'a1', b: 'b1'}]},
  {input: `a != 'a1' && !b == 'b1'`, canonical: `(a != "a1" && !b == "b1")`, matches: [{}], nonMatches: [{a: 'a1', b: 'b1'}]},
  {input: `!a == 'a1' && b == 'b1'`, canonical: `(!a == "a1" && b == "b1")`, matches: [{b: 'b1'}], nonMatches: [{a: 'a1', b: 'b1'}]},
  {input: `has(a) && !has(b)`, canonical: `(has(a) && !has(b))`, matches: [{a: 'a'}], nonMatches: [{a: 'a', b: 'b'}, {}]},
  {input: `!has(b) && has(a)`, canonical: `(!has(b) && has(a))`, matches: [{a: 'a'}]},
  {input: `!(!has(a) || has(b))`, canonical: `!(!has(a) || has(b))`, matches: [{a: 'a'}], nonMatches: [{}, {a: 'a', b: 'b'}]},
  {input: `!(has(b) || !has(a))`, canonical: `!(has(b) || !has(a))`, matches: [{a: 'a'}]},
  {input: `a == 'a1' || b != 'b1'`, canonical: `(a == "a1" || b != "b1")`, matches: [{a: 'a1', b: 'b1'}, {}]},
  {input: `a != 'a1' || b != 'b1'`, canonical: `(a != "a1" || b != "b1")`, matches: [{a: 'a1'}], nonMatches: [{a: 'a1', b: 'b1'}]},
  {input: `! a == 'a1' || ! b == 'b1'`, canonical: `(!a == "a1" || !b == "b1")`, matches: [{a: 'a1'}], nonMatches: [{a: 'a1', b: 'b1'}]},

  // --- parser_test.go canonicalisationTests ---
  {input: ` all() `, canonical: `all()`},
  {input: ` (all() )`, canonical: `all()`},
  {input: `! (has( b)||! has(a ))`, canonical: `!(has(b) || !has(a))`},
  {input: `! (a == "b"&&! c != "d")`, canonical: `!(a == "b" && !c != "d")`, matches: [{a: 'b', c: 'x'}, {a: 'b'}, {}], nonMatches: [{a: 'b', c: 'd'}]},
  {input: `a == "'"`, canonical: `a == "'"`, matches: [{a: "'"}]},
  {input: `a == '"'`, canonical: `a == '"'`, matches: [{a: '"'}], nonMatches: [{a: "'"}]},
  {input: `a contains '"'`, canonical: `a contains '"'`, matches: [{a: 'x"y'}]},
  {input: `a contains "'"`, canonical: `a contains "'"`, matches: [{a: "it's"}]},
  {input: `a startswith '"'`, canonical: `a starts with '"'`, matches: [{a: '"q"'}]},
  {input: `a endswith "'"`, canonical: `a ends with "'"`, matches: [{a: "q'"}]},
  {input: `a!='"'`, canonical: `a != '"'`},
  {input: `a in {"d"}`, canonical: `a in {"d"}`},
  {input: `a in {"d", "a", "b"}`, canonical: `a in {"a", "b", "d"}`},
  {input: `a in {"z", "x", "y", "a"}`, canonical: `a in {"a", "x", "y", "z"}`},
  {input: `a in {"z", "z", "x", "y", "x", "a"}`, canonical: `a in {"a", "x", "y", "z"}`, matches: [{a: 'x'}], nonMatches: [{a: 'b'}]},

  // --- parser_test.go visitor inputs (without the prefix) ---
  {input: `!(k == 'v')`, canonical: `!k == "v"`, matches: [{}, {k: 'w'}], nonMatches: [{k: 'v'}]},
  {input: `k == 'v' || has(x)`, canonical: `(k == "v" || has(x))`, matches: [{x: ''}, {k: 'v'}], nonMatches: [{k: 'w'}]},
  {
    input: `!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))`,
    canonical: `!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})`,
    matches: [{}, {a: 'b'}, {k: 'v', t: ''}],
  },

  // --- tokenizer_test.go inputs ---
  {input: `a=="b"`, canonical: `a == "b"`},
  {input: `a!="b"`, canonical: `a != "b"`},
  {input: `(a=="b")`, canonical: `a == "b"`},
  {input: `label == "value"`, canonical: `label == "value"`},
  {input: `label contains "value"`, canonical: `label contains "value"`},
  {input: `contains contains "contains"`, canonical: `contains contains "contains"`, matches: [{contains: 'xcontainsx'}]},
  {input: `contains contains 'contains'`, canonical: `contains contains "contains"`},
  {input: `label contains"value"`, canonical: `label contains "value"`},
  {input: `label startswith "value"`, canonical: `label starts with "value"`},
  {input: `label endswith "value"`, canonical: `label ends with "value"`},
  {input: `startswith starts with "value"`, canonical: `startswith starts with "value"`},
  {input: `endswith ends with "value"`, canonical: `endswith ends with "value"`},
  {input: `label starts  with "value"`, canonical: `label starts with "value"`},
  {input: `label ends\twith "value"`, canonical: `label ends with "value"`},
  {input: `${a512} == "value"`, canonical: `${a512} == "value"`, matches: [{[a512]: 'value'}]},
  {input: `has(calico/k8s_ns)`, canonical: `has(calico/k8s_ns)`},
  {input: `has(calico/k8s_ns/role)`, canonical: `has(calico/k8s_ns/role)`},
  {input: `has(calico/k8s_NS-.1/role)`, canonical: `has(calico/k8s_NS-.1/role)`, matches: [{'calico/k8s_NS-.1/role': 'x'}]},
  {
    input: `calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"`,
    canonical: `(calico/k8s_ns == "kube-system" && k8s-app == "kube-dns")`,
    matches: [{'calico/k8s_ns': 'kube-system', 'k8s-app': 'kube-dns'}],
  },
  {
    input: `a  not  in  {"bar"}  &&  ! has( foo )  ||  b  in  {"c"} `,
    canonical: `((a not in {"bar"} && !has(foo)) || b in {"c"})`,
    matches: [{}, {b: 'c', foo: ''}],
    nonMatches: [{a: 'bar'}, {foo: 'x'}],
  },
  {input: `a notin{"bar"}&&!has(foo)||b in{"c"}`, canonical: `((a not in {"bar"} && !has(foo)) || b in {"c"})`},
  {input: `a not in {}`, canonical: `a not in {}`, matches: [{}, {a: 'x'}, {a: ''}]},
  {input: `a not in {"a"}`, canonical: `a not in {"a"}`},
  {input: `a not in {"a","B"}`, canonical: `a not in {"B", "a"}`, matches: [{a: 'b'}], nonMatches: [{a: 'B'}]},
  {input: `global( )`, canonical: `global()`},
  {input: `all( )`, canonical: `all()`},

  // --- lexical details ---
  {input: `has( foo )`, canonical: `has(foo)`},
  {input: `\ta == "b"\t`, canonical: `a == "b"`},
  {input: `  a   ==   "b"  `, canonical: `a == "b"`},
  {input: `a==''`, canonical: `a == ""`, matches: [{a: ''}], nonMatches: [{}, {a: 'x'}]},
  {input: `a startswith"x"`, canonical: `a starts with "x"`},
  {input: `a contains'x'`, canonical: `a contains "x"`},
  {input: `a not\tin {"x"}`, canonical: `a not in {"x"}`},
  {input: `a in {"x",}`, canonical: `a in {"x"}`, matches: [{a: 'x'}]},
  {input: `a in {"x", "y", }`, canonical: `a in {"x", "y"}`},
  {input: `in in {"in"}`, canonical: `in in {"in"}`, matches: [{in: 'in'}]},
  {input: `not not in {"x"}`, canonical: `not not in {"x"}`, matches: [{}], nonMatches: [{not: 'x'}]},
  {input: `has == "x"`, canonical: `has == "x"`, matches: [{has: 'x'}]},
  {input: `all == "x"`, canonical: `all == "x"`, nonMatches: [{}]},
  {input: `global == "x"`, canonical: `global == "x"`},
  {input: `with starts with "w"`, canonical: `with starts with "w"`},
  {input: `k8s.io/app-name_1 == "v"`, canonical: `k8s.io/app-name_1 == "v"`, matches: [{'k8s.io/app-name_1': 'v'}]},
  {
    input: `projectcalico.org/namespace == 'default'`,
    canonical: `projectcalico.org/namespace == "default"`,
    matches: [{'projectcalico.org/namespace': 'default'}],
  },
  {input: `0 == "1"`, canonical: `0 == "1"`, matches: [{'0': '1'}]},
  {input: `a == "x y"`, canonical: `a == "x y"`, matches: [{a: 'x y'}], nonMatches: [{a: 'x'}]},
  {input: `a == "x&&y||z"`, canonical: `a == "x&&y||z"`, matches: [{a: 'x&&y||z'}]},
  {input: `a == "(all())"`, canonical: `a == "(all())"`},
  {input: `a == "it's"`, canonical: `a == "it's"`},
  {input: `a == 'say "hi"'`, canonical: `a == 'say "hi"'`, matches: [{a: 'say "hi"'}]},
  {input: `a == "ünïcödé"`, canonical: `a == "ünïcödé"`, matches: [{a: 'ünïcödé'}], nonMatches: [{a: 'unicode'}]},
  {input: `a == "B"`, canonical: `a == "B"`, matches: [{a: 'B'}], nonMatches: [{a: 'b'}]},
  {input: `A == "b"`, canonical: `A == "b"`, matches: [{A: 'b'}], nonMatches: [{a: 'b'}]},

  // --- precedence and tree shape ---
  {
    input: `a == "b" && c == "d" && e == "f"`,
    canonical: `(a == "b" && c == "d" && e == "f")`,
    matches: [{a: 'b', c: 'd', e: 'f'}],
    nonMatches: [{a: 'b', c: 'd'}],
  },
  {
    input: `a == "b" || c == "d" || e == "f"`,
    canonical: `(a == "b" || c == "d" || e == "f")`,
    matches: [{e: 'f'}],
    nonMatches: [{}],
  },
  {
    input: `a == "b" || c == "d" && e == "f"`,
    canonical: `(a == "b" || (c == "d" && e == "f"))`,
    matches: [{a: 'b'}, {c: 'd', e: 'f'}],
    nonMatches: [{c: 'd'}, {e: 'f'}],
  },
  {
    input: `a == "b" && c == "d" || e == "f"`,
    canonical: `((a == "b" && c == "d") || e == "f")`,
    matches: [{e: 'f'}, {a: 'b', c: 'd'}],
    nonMatches: [{a: 'b'}],
  },
  {
    input: `(a == "b" || c == "d") && e == "f"`,
    canonical: `((a == "b" || c == "d") && e == "f")`,
    matches: [{a: 'b', e: 'f'}, {c: 'd', e: 'f'}],
    nonMatches: [{a: 'b'}, {e: 'f'}],
  },
  {input: `(a == "b" && c == "d") && e == "f"`, canonical: `((a == "b" && c == "d") && e == "f")`},
  {input: `a == "b" && (c == "d" && e == "f")`, canonical: `(a == "b" && (c == "d" && e == "f"))`},
  {input: `((a == "b"))`, canonical: `a == "b"`},
  {input: `(((a == "b") && ((c == "d"))))`, canonical: `(a == "b" && c == "d")`},
  {input: `!(a == "b" || c == "d")`, canonical: `!(a == "b" || c == "d")`, matches: [{}, {a: 'c'}], nonMatches: [{a: 'b'}, {c: 'd'}]},
  {input: `!(a == "b") && !(c == "d")`, canonical: `(!a == "b" && !c == "d")`, matches: [{}], nonMatches: [{c: 'd'}]},
  {
    input: `a == 'b' && (c == 'd' || (e == 'f' && !(g == 'h')))`,
    canonical: `(a == "b" && (c == "d" || (e == "f" && !g == "h")))`,
    matches: [{a: 'b', c: 'd'}, {a: 'b', e: 'f'}],
    nonMatches: [{a: 'b', e: 'f', g: 'h'}, {c: 'd'}],
  },
  {
    input: `has(a) || has(b) && has(c) || has(d)`,
    canonical: `(has(a) || (has(b) && has(c)) || has(d))`,
    matches: [{a: ''}, {b: '', c: ''}, {d: ''}],
    nonMatches: [{b: ''}, {c: ''}, {}],
  },
  {input: `a=="b"&&c!="d"||!has(e)`, canonical: `((a == "b" && c != "d") || !has(e))`, matches: [{}, {a: 'b'}], nonMatches: [{e: ''}]},
  {input: `all()&&all()`, canonical: `(all() && all())`, matches: [{}]},
  {input: `all() && has(a)`, canonical: `(all() && has(a))`, matches: [{a: 'x'}], nonMatches: [{}]},
  {input: `global() || has(a)`, canonical: `(global() || has(a))`, matches: [{}]},

  // --- negation ---
  {input: `!all()`, canonical: `!all()`, nonMatches: [{}, {a: 'b'}]},
  {input: `!global()`, canonical: `!global()`, nonMatches: [{}]},
  {input: `!a != "b"`, canonical: `!a != "b"`, matches: [{a: 'b'}], nonMatches: [{}, {a: 'c'}]},
  {input: `!a not in {"x"}`, canonical: `!a not in {"x"}`, matches: [{a: 'x'}], nonMatches: [{}, {a: 'y'}]},
  {input: `!a contains "x"`, canonical: `!a contains "x"`, matches: [{}, {a: 'y'}], nonMatches: [{a: 'xx'}]},
  {input: `!!(has(a))`, canonical: `has(a)`, matches: [{a: ''}]},
  // Calico prints Not(Not(x)) as "!!x", which parses back as plain x.
  {input: `!(!has(a))`, canonical: `!!has(a)`, reprints: `has(a)`, matches: [{a: 'x'}], nonMatches: [{}]},
  {input: `!(!(has(a)))`, canonical: `!!has(a)`, reprints: `has(a)`, matches: [{a: 'x'}]},
  {input: `!(!(a == "b" || has(c)))`, canonical: `!!(a == "b" || has(c))`, reprints: `(a == "b" || has(c))`, matches: [{c: ''}]},

  // --- sets ---
  {input: `a in {}`, canonical: `a in {}`, nonMatches: [{}, {a: ''}]},
  {input: `a in {"b", 'b'}`, canonical: `a in {"b"}`},
  {input: `a in {'x"y', "z"}`, canonical: `a in {'x"y', "z"}`, matches: [{a: 'x"y'}]},
  {input: `a in {"b", "a", "B", "1", "_"}`, canonical: `a in {"1", "B", "_", "a", "b"}`, matches: [{a: '_'}, {a: 'B'}], nonMatches: [{a: 'c'}, {}]},
  {
    input: `a not in {"1", "2", "3", "4", "5", "6"}`,
    canonical: `a not in {"1", "2", "3", "4", "5", "6"}`,
    matches: [{}, {a: '7'}],
    nonMatches: [{a: '3'}, {a: '6'}],
  },
  // Go sorts by UTF-8 bytes: U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80); UTF-16 order is the reverse.
  {input: `a in {"\u{1F600}", "\uFFFD"}`, canonical: `a in {"\uFFFD", "\u{1F600}"}`, matches: [{a: '\u{1F600}'}]},
  {input: `a in {"b", ""}`, canonical: `a in {"", "b"}`, matches: [{a: ''}], nonMatches: [{}]},

  // --- string operators on edge values ---
  {input: `a != ""`, canonical: `a != ""`, matches: [{}, {a: 'x'}], nonMatches: [{a: ''}]},
  {input: `a contains ""`, canonical: `a contains ""`, matches: [{a: ''}, {a: 'x'}], nonMatches: [{}]},
  {input: `a starts with ""`, canonical: `a starts with ""`, matches: [{a: ''}], nonMatches: [{}]},
  {input: `a ends with "-prod"`, canonical: `a ends with "-prod"`, matches: [{a: 'svc-prod'}, {a: '-prod'}], nonMatches: [{a: 'prod'}]},
  {input: `a starts with "web-"`, canonical: `a starts with "web-"`, matches: [{a: 'web-1'}], nonMatches: [{a: 'Web-1'}]},

  // --- label names that collide with JavaScript object members ---
  {input: `get == "x"`, canonical: `get == "x"`, matches: [{get: 'x'}], nonMatches: [{}]},
  {input: `has(constructor)`, canonical: `has(constructor)`, matches: [{constructor: ''}], nonMatches: [{}]},
  {input: `constructor != "x"`, canonical: `constructor != "x"`, matches: [{}], nonMatches: [{constructor: 'x'}]},
  {input: `has(__proto__)`, canonical: `has(__proto__)`, nonMatches: [{}]},
  {input: `toString contains ""`, canonical: `toString contains ""`, nonMatches: [{}]},
  {input: `valueOf in {"x"}`, canonical: `valueOf in {"x"}`, matches: [{valueOf: 'x'}], nonMatches: [{}]},
  {input: `hasOwnProperty not in {"x"}`, canonical: `hasOwnProperty not in {"x"}`, matches: [{}]},
]

export const errorCases: readonly ErrorCase[] = [
  // --- parser_test.go badSelectors ---
  {input: `b == b`, message: 'expected string', position: 5},
  {input: `b contains b`, message: 'expected string', position: 11},
  {input: `b starts with b`, message: 'expected operator after label "b"', position: 2},
  {input: `b ends with b`, message: 'expected operator after label "b"', position: 2},
  {input: `'b1' == b`, message: 'unexpected token: TokStringLiteral(b1)', position: 0},
  {input: `b`, message: 'unexpected end of string looking for op', position: 1},
  {input: `a b`, message: 'expected operator after label "a"', position: 2},
  {input: `!`, message: 'unexpected token: TokEOF()', position: 1},
  {input: `foo == "bar" &`, message: 'expected &&', position: 13},
  {input: `foo == "bar" |`, message: 'expected ||', position: 13},
  {input: `foo != ||`, message: 'expected string', position: 7},
  {input: `foo in {"", ||`, message: 'expected }', position: 12},
  {input: `foo in ""`, message: 'expected set literal', position: 7},
  {input: `"FOO`, message: 'unterminated string', position: 0},
  {input: `"FOO'`, message: 'unterminated string', position: 0},
  {input: `'FOO`, message: 'unterminated string', position: 0},
  {input: `(`, message: 'unexpected token: TokEOF()', position: 1},
  {input: `(a == "foo"`, message: 'expected )', position: 11},
  {input: `)`, message: 'unexpected token: TokRParen()', position: 0},
  {input: `()`, message: 'unexpected token: TokRParen()', position: 1},
  {input: `%`, message: 'expected identifier', position: 0},
  {input: `a == "b" && %`, message: 'expected identifier', position: 12},
  {input: `a == "b" || %`, message: 'expected identifier', position: 12},
  {input: `a `, message: 'unexpected end of string looking for op', position: 2},
  {input: `has(foo) &&`, message: 'unexpected token: TokEOF()', position: 11},

  // --- tokenizer_test.go failures ---
  {input: `${a513} == "value"`, message: `label too long: ${a513}`, position: 0},
  {input: `label == "value`, message: 'unterminated string', position: 9},
  {input: `label == 'value`, message: 'unterminated string', position: 9},
  {input: `label = "value"`, message: 'expected ==', position: 6},
  {input: `all(`, message: "no closing ')' after all(", position: 4},
  {input: `global(`, message: "no closing ')' after global(", position: 7},
  {input: `has()`, message: 'expected identifier', position: 4},
  {input: `has(foo`, message: "no closing ')' after has(", position: 7},
  {input: `has( foo `, message: "no closing ')' after has(", position: 9},
  {input: `a == "b" & has(foo)`, message: 'expected &&', position: 9},
  {input: `a == "b" | has(foo)`, message: 'expected ||', position: 9},
  {input: `label starts foo "value"`, message: 'expected operator after label "label"', position: 6},
  {input: `label inf "value"`, message: 'expected operator after label "label"', position: 6},
  {input: `label ends foo "value"`, message: 'expected operator after label "label"', position: 6},
  {input: `label ends withs "value"`, message: 'expected operator after label "label"', position: 6},
  {input: `label squiggles "value"`, message: 'expected operator after label "label"', position: 6},
  // Tokenizes (tokenizer_test.go), but the parser wants a set.
  {input: `a not in "bar" && !has(foo) || b in c`, message: 'expected set literal', position: 9},

  // --- word operators: Go checks the boundary only after the last word's trailing space ---
  {input: `a not in x`, message: 'expected operator after label "a"', position: 2},
  {input: `a in x`, message: 'expected set literal', position: 5},
  {input: `a starts with x`, message: 'expected operator after label "a"', position: 2},
  {input: `a contains x`, message: 'expected string', position: 11},
  {input: `a not "x"`, message: 'expected operator after label "a"', position: 2},
  {input: `a IN {"x"}`, message: 'expected operator after label "a"', position: 2},
  {input: `a Contains "x"`, message: 'expected operator after label "a"', position: 2},
  {input: `ends with "x"`, message: 'expected operator after label "ends"', position: 5},
  {input: `a \u2260 "b"`, message: 'expected operator after label "a"', position: 2},

  // --- what may follow a label ---
  {input: `a && b`, message: 'expected == or != not: TokAnd()', position: 2},
  {input: `a || b == "c"`, message: 'expected == or != not: TokOr()', position: 2},
  {input: `a "x"`, message: 'expected == or != not: TokStringLiteral(x)', position: 2},
  {input: `a !x`, message: 'expected == or != not: TokNot()', position: 2},
  {input: `a ( "x" )`, message: 'expected == or != not: TokLParen()', position: 2},
  {input: `has (a)`, message: 'expected == or != not: TokLParen()', position: 4},
  {input: `all ()`, message: 'expected == or != not: TokLParen()', position: 4},
  {input: `a, "b"`, message: 'expected == or != not: TokComma()', position: 1},
  {input: `a ==`, message: 'expected string', position: 4},
  {input: `a contains`, message: 'expected string', position: 10},
  {input: `a starts with`, message: 'expected string', position: 13},
  {input: `a == {"b"}`, message: 'expected string', position: 5},
  {input: `a in`, message: 'expected set literal', position: 4},
  {input: `a notin`, message: 'expected set literal', position: 7},
  {input: `a in "x", "y"`, message: 'expected set literal', position: 5},

  // --- operators and punctuation ---
  {input: `a === "b"`, message: 'expected ==', position: 4},
  {input: `a = = "b"`, message: 'expected ==', position: 2},
  {input: `a == "b" &&& c == "d"`, message: 'expected &&', position: 11},
  {input: `a == "b" &&`, message: 'unexpected token: TokEOF()', position: 11},
  {input: `a == "b" ||`, message: 'unexpected token: TokEOF()', position: 11},
  {input: `a == "b" && !`, message: 'unexpected token: TokEOF()', position: 13},
  {input: `!!`, message: 'unexpected token: TokEOF()', position: 2},
  {input: `&& a == "b"`, message: 'unexpected token: TokAnd()', position: 0},
  {input: `{}`, message: 'unexpected token: TokLBrace()', position: 0},
  {input: `a == "b" && (c == "d" || )`, message: 'unexpected token: TokRParen()', position: 25},

  // --- sets ---
  {input: `a in {"x" "y"}`, message: 'expected }', position: 10},
  {input: `a in {,}`, message: 'expected }', position: 6},
  {input: `a in {"x",,}`, message: 'expected }', position: 10},
  {input: `a in {"x"`, message: 'expected }', position: 9},
  {input: `a in {"x"} && b in {`, message: 'expected }', position: 20},
  {input: `a in {x}`, message: 'expected }', position: 6},

  // --- parentheses and trailing content ---
  {input: `(a == "b"))`, message: 'unexpected content at end of selector [TokRParen() TokEOF()]', position: 10},
  {input: `a == "b")`, message: 'unexpected content at end of selector [TokRParen() TokEOF()]', position: 8},
  {input: `((a == "b")`, message: 'expected )', position: 11},
  {input: `!(a == "b"`, message: 'expected )', position: 10},
  {
    input: `a == "b" c == "d"`,
    message: 'unexpected content at end of selector [TokLabel(c) TokEq() TokStringLiteral(d) TokEOF()]',
    position: 9,
  },
  {input: `all() all()`, message: 'unexpected content at end of selector [TokAll() TokEOF()]', position: 6},
  {input: `has(a) has(b)`, message: 'unexpected content at end of selector [TokHas(b) TokEOF()]', position: 7},
  {input: `a in {"x"} extra`, message: 'unexpected content at end of selector [TokLabel(extra) TokEOF()]', position: 11},
  {input: `a in{"x"}b`, message: 'unexpected content at end of selector [TokLabel(b) TokEOF()]', position: 9},
  {input: `has(a)==`, message: 'unexpected content at end of selector [TokEq() TokEOF()]', position: 6},
  {input: `a == "b" !`, message: 'unexpected content at end of selector [TokNot() TokEOF()]', position: 9},
  {input: `global() , c`, message: 'unexpected content at end of selector [TokComma() TokLabel(c) TokEOF()]', position: 9},
  {input: `global() global(  )`, message: 'unexpected content at end of selector [TokGlobal() TokEOF()]', position: 9},

  // --- functions ---
  {input: `has(a b)`, message: "no closing ')' after has(", position: 6},
  {input: `has("a")`, message: 'expected identifier', position: 4},
  {input: `has(${a513})`, message: `label too long: ${a513}`, position: 4},
  {input: `all(x)`, message: "no closing ')' after all(", position: 4},
  {input: `global(1)`, message: "no closing ')' after global(", position: 7},

  // --- characters that are not part of the language ---
  {input: `a == "b"\n`, message: 'expected identifier', position: 8},
  {input: `a == "b" &&\nc == "d"`, message: 'expected identifier', position: 11},
  {input: `a\n== "b"`, message: 'expected operator after label "a"', position: 1},
  {input: `\u00e9 == "b"`, message: 'expected identifier', position: 0},
  {input: `a == \u201cb\u201d`, message: 'expected identifier', position: 5},

  // --- our own limit (Go has none): deep nesting is refused instead of overflowing the stack ---
  {
    input: `${'('.repeat(501)}a == "b"${')'.repeat(501)}`,
    message: 'selector nested too deeply (more than 500 levels of parentheses)',
    position: 500,
  },
]
