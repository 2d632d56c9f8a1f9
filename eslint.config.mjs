// Lint rules, chiefly the seams of DESIGN.md: who may import whom is enforced here, not in review.
import tseslint from 'typescript-eslint'

/**
 * Each package has one home: @oclif/core in cli + commands, etcd3 in datastore/etcd, the
 * Kubernetes client in datastore/kubernetes, better-sqlite3 in datastore/local, and
 * node:child_process in dataplane/exec.ts.
 */
const PACKAGE_HOMES = {
  '@oclif/core': ['cli', 'commands'],
  etcd3: ['datastore/etcd'],
  '@kubernetes/client-node': ['datastore/kubernetes'],
  'better-sqlite3': ['datastore/local'],
  'node:child_process': ['dataplane/exec.ts'],
}

const ALL = ['cli', 'commands', 'api', 'selector', 'policy', 'datastore', 'ipam', 'bgp', 'calc', 'dataplane', 'agent', 'log']
const except = (...allowed) => ALL.filter((area) => !allowed.includes(area))

/**
 * Areas (a folder under src/, or a file) and the src/ folders each may NOT import. An area's
 * rule applies to its files only; nested areas (datastore/local inside datastore) have their own.
 */
const AREAS = {
  api: except('api', 'selector', 'policy'),
  selector: except('api', 'selector', 'policy'),
  policy: except('api', 'selector', 'policy'),
  commands: ['calc', 'dataplane', 'agent', 'datastore/local', 'datastore/etcd', 'datastore/kubernetes'],
  // The node commands drive the node agent (run starts it; diags and status read what it keeps).
  'commands/node': ['calc', 'dataplane', 'datastore/local', 'datastore/etcd', 'datastore/kubernetes'],
  cli: ['commands', 'calc', 'dataplane', 'agent', 'datastore/local', 'datastore/etcd', 'datastore/kubernetes'],
  datastore: except('api', 'selector', 'datastore', 'log'),
  'datastore/local': except('api', 'selector', 'datastore', 'log'),
  'datastore/etcd': except('api', 'selector', 'datastore', 'log'),
  'datastore/kubernetes': except('api', 'selector', 'datastore', 'log'),
  ipam: except('api', 'selector', 'datastore', 'ipam', 'log'),
  bgp: except('api', 'selector', 'datastore', 'bgp', 'ipam', 'log'),
  calc: except('api', 'selector', 'policy', 'calc', 'datastore', 'log'),
  dataplane: except('api', 'calc', 'dataplane', 'log'),
  'dataplane/exec.ts': except('api', 'calc', 'dataplane', 'log'),
  agent: ['cli', 'commands'],
  log: except('log'),
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const areaGlob = (area) => (area.endsWith('.ts') ? `src/${area}` : `src/${area}/**/*.ts`)

function restrictionsFor(area) {
  const paths = Object.entries(PACKAGE_HOMES)
    .filter(([, homes]) => !homes.some((home) => area === home || area.startsWith(`${home}/`)))
    .map(([name, homes]) => ({name, message: `only src/${homes.join(', src/')} may import ${name} (DESIGN.md seams)`}))
  const patterns = AREAS[area].map((forbidden) => ({
    // A relative import that lands in the forbidden folder: ../<forbidden>/ or ../../<forbidden>/ …
    regex: `^(\\.\\./)+${escape(forbidden)}(/|\\.js$)`,
    message: `src/${area} may not import src/${forbidden} (DESIGN.md seams)`,
  }))
  return ['error', {paths, patterns}]
}

const nestedAreas = Object.keys(AREAS).filter((area) => area.includes('/'))

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'oclif.manifest.json', 'bpf/**']},
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_'},
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...Object.keys(AREAS).map((area) => ({
    files: [areaGlob(area)],
    ignores: nestedAreas.filter((nested) => nested !== area && nested.startsWith(`${area}/`)).map(areaGlob),
    rules: {'no-restricted-imports': restrictionsFor(area)},
  })),
)
