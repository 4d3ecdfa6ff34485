/**
 * The layers of arcade-stack, checked by dependency-cruiser in `npm test` (`npm run layers` alone).
 *
 * `layers` says which folder may import which; README.md "Architecture" shows the same table and
 * test/architecture/layers.test.ts fails when the two differ or when a folder under src/ is in neither.
 * Every import counts, `import type` included (tsPreCompilationDeps): a type is knowledge too.
 *
 * @see https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md
 */

/**
 * Folder (or file) → what it may import besides itself, node's built-ins and npm packages.
 * Lowest layer first. `imports/` is the generated cdk8s bindings.
 */
export const layers = {
  'src/core': [],
  'src/kube': ['src/core'],
  'src/collector': ['src/core'],
  'src/tooling': ['src/core'],
  'src/contracts': ['src/tooling', 'src/core'],
  'src/evidence': ['src/collector', 'src/core'],
  'src/environments': ['src/collector', 'src/evidence', 'src/core'],
  'src/constructs': ['imports'],
  'src/charts': ['src/constructs', 'src/environments', 'src/evidence', 'src/collector', 'src/core'],
  'src/synth.ts': ['src/charts', 'src/environments', 'src/kube', 'src/core'],
  'src/main.ts': ['src/synth.ts', 'src/environments', 'src/tooling', 'src/core'],
  'src/loopback': ['src/contracts', 'src/environments', 'src/evidence', 'src/collector', 'src/kube', 'src/core'],
  'src/probes': ['src/loopback', 'src/environments', 'src/evidence', 'src/contracts', 'src/collector', 'src/kube', 'src/core'],
  'src/review': ['src/synth.ts', 'src/environments', 'src/core'],
  'src/check': ['src/constructs', 'src/environments', 'src/kube', 'src/tooling', 'src/core'],
  'src/chart-values': ['src/charts', 'src/constructs', 'src/synth.ts', 'src/environments', 'src/core'],
  'src/seal': ['src/environments', 'src/kube', 'src/core'],
  'src/drift': ['src/review', 'src/constructs', 'src/kube', 'src/core'],
  'src/delivery': [
    'src/check',
    'src/review',
    'src/constructs',
    'src/environments',
    'src/synth.ts',
    'src/core',
  ],
  'src/bench': ['src/probes', 'src/loopback', 'src/environments', 'src/tooling', 'src/core'],
  scripts: ['src'],
};

/** npm packages a construct may use: the cdk8s libraries, and yaml to serialize typed config. */
const CONSTRUCT_PACKAGES = ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml'];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** A regular expression for a layer key: a folder and everything under it, or one file. */
const under = (key) => (key.endsWith('.ts') ? `^${escape(key)}$` : `^${escape(key)}/`);

/** Targets the named rules below report themselves; a layer rule leaves them out (one message per import). */
const NAMED_TARGETS = {
  'src/constructs': ['^src/'],
  'src/probes': ['^src/(charts|constructs)/', '^src/(synth|main)\\.ts$'],
};

const layerRules = Object.entries(layers).map(([key, allowed]) => ({
  name: `layer-${key}`,
  severity: 'error',
  comment: `${key} may import only ${allowed.length ? allowed.join(', ') : 'itself'} (README.md "Architecture"). Fix: move what both need down into a layer both may import (usually src/core), or import it from there.`,
  from: { path: under(key) },
  to: {
    path: '^(src|scripts|test|imports)/',
    pathNot: [under(key), ...allowed.map(under), '^test/', '^scripts/', ...(NAMED_TARGETS[key] ?? [])],
  },
}));

const rules = [
  {
    name: 'no-cycle',
    severity: 'error',
    comment:
      'An import cycle: a module can be evaluated before what it imports (a ReferenceError at load time). Fix: move what both sides need into a module both may import.',
    from: { path: '^(src|scripts)/' },
    to: { circular: true },
  },
  {
    name: 'src-not-test',
    severity: 'error',
    comment:
      'Product code never imports test code: what a feature needs (e.g. the --demo platform, src/loopback/) lives under src/, and tests import it from there.',
    from: { path: '^src/' },
    to: { path: '^test/' },
  },
  {
    name: 'nothing-imports-scripts',
    severity: 'error',
    comment: 'scripts/ are entry points: src/ and other scripts import what they need from src/.',
    from: { path: '^(src|scripts)/' },
    to: { path: '^scripts/' },
  },
  {
    name: 'constructs-take-plain-props',
    severity: 'error',
    comment:
      'A construct imports only imports/, other constructs and the cdk8s libraries: it knows no environment file and no model of ours. ' +
      'Fix: its chart does that work (reads the environment, unresolved values included; builds and checks the collector config, ' +
      'the scrape convention, ...) and passes the construct plain typed props.',
    from: { path: '^src/constructs/' },
    to: { path: '^src/', pathNot: '^src/constructs/' },
  },
  {
    name: 'constructs-use-cdk8s-only',
    severity: 'error',
    comment: `A construct uses only the cdk8s libraries and yaml (${CONSTRUCT_PACKAGES.join(', ')}) among npm packages.`,
    from: { path: '^src/constructs/' },
    to: {
      dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
      pathNot: `node_modules/(${CONSTRUCT_PACKAGES.map(escape).join('|')})/`,
    },
  },
  {
    name: 'probes-not-synth',
    severity: 'error',
    comment:
      'Probes check the live platform and run without cdk8s: they never import a chart, a construct or synth (the environment and src/collector tell them what to expect).',
    from: { path: '^src/probes/' },
    to: { path: ['^src/(charts|constructs)/', '^src/(synth|main)\\.ts$'] },
  },
  ...layerRules,
];

export default {
  forbidden: rules,
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^test/.*/__snapshots__/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    // A warm run re-reads only changed files (content hashes, not git's view: untracked files count too);
    // a change of this file invalidates it. Under node_modules/.cache: a fresh run (npm run bench) removes it.
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
    reporterOptions: { text: { highlightFocused: false } },
  },
};
