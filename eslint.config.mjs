// Lint rules, chiefly the import seams of DESIGN.md: who may import whom is enforced here.
import importPlugin from 'eslint-plugin-import'
import tseslint from 'typescript-eslint'

const leaf = ['api', 'selector', 'policy']
const zone = (target, from, message) => ({target: `./src/${target}`, from: `./src/${from}`, message})

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'oclif.manifest.json', 'bpf/**']},
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    plugins: {import: importPlugin},
    settings: {'import/resolver': {node: {extensions: ['.ts', '.js']}}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_'}],
      '@typescript-eslint/no-explicit-any': 'error',
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            // api, selector and policy are pure leaves: nothing from other src folders but each other.
            ...leaf.flatMap((target) =>
              ['cli', 'commands', 'datastore', 'ipam', 'bgp', 'calc', 'dataplane', 'agent'].map((from) =>
                zone(target, from, `src/${target} is a pure leaf (DESIGN.md seams)`),
              ),
            ),
            // Commands see backends only through the interface and the factory.
            zone('commands', 'datastore/local', 'commands use datastore/factory, never a backend'),
            zone('commands', 'datastore/etcd', 'commands use datastore/factory, never a backend'),
            zone('commands', 'datastore/kubernetes', 'commands use datastore/factory, never a backend'),
            zone('commands', 'dataplane', 'commands never import the dataplane'),
            zone('commands', 'calc', 'commands never import the calc graph'),
            zone('cli', 'datastore/local', 'cli uses datastore/factory, never a backend'),
            // Backends know api and the datastore contract only.
            zone('datastore', 'cli', 'the datastore layer never imports the CLI'),
            zone('datastore', 'commands', 'the datastore layer never imports commands'),
            // The calc graph is pure; the dataplane never reads the datastore.
            zone('calc', 'dataplane', 'calc never imports dataplane'),
            zone('calc', 'datastore/local', 'calc sees datastore update types only'),
            zone('dataplane', 'datastore', 'dataplane never imports datastore'),
          ],
        },
      ],
    },
  },
  ...restrictedPackageBlocks(),
)

/**
 * Each package has one home (DESIGN.md): @oclif/core in cli+commands, etcd3 in datastore/etcd,
 * the Kubernetes client in datastore/kubernetes, better-sqlite3 in datastore/local, and
 * node:child_process in dataplane/exec.ts. One block per home, with disjoint file sets, so no
 * block overrides another's rule.
 */
function restrictedPackageBlocks() {
  const homes = {
    '@oclif/core': ['src/cli/**', 'src/commands/**'],
    etcd3: ['src/datastore/etcd/**'],
    '@kubernetes/client-node': ['src/datastore/kubernetes/**'],
    'better-sqlite3': ['src/datastore/local/**'],
    'node:child_process': ['src/dataplane/exec.ts'],
  }
  const groups = [...new Set(Object.values(homes).flat())]
  const rule = (allowedHere) => [
    'error',
    {
      paths: Object.entries(homes)
        .filter(([, where]) => !where.some((glob) => allowedHere.includes(glob)))
        .map(([name, where]) => ({name, message: `only ${where.join(', ')} may import ${name}`})),
    },
  ]
  return [
    {files: ['src/**/*.ts'], ignores: groups, rules: {'no-restricted-imports': rule([])}},
    ...groups.map((glob) => ({
      files: [glob.endsWith('.ts') ? glob : `${glob}/*.ts`],
      rules: {'no-restricted-imports': rule([glob])},
    })),
  ]
}
