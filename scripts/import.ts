#!/usr/bin/env tsx
/**
 * npm run import: regenerate the typed bindings in imports/ from the vendored CRD files listed
 * in cdk8s.yaml (contracts/crds, provenance in contracts/SOURCES.md). Offline; idempotent; writes
 * nothing but imports/*.ts (src/contracts/crd-bindings.ts says why and how).
 *
 *   npm run import               # after a CRD file in contracts/crds or the list in cdk8s.yaml changed
 *   npm run import -- --check    # compare imports/ with a fresh import, byte for byte; write nothing
 */
import { join } from 'node:path';
import { CommandError } from '../src/core/command-error.js';
import { defineScript } from '../src/core/script.js';
import { runCommand, type ScriptMain, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'import',
  description: `Regenerates imports/*.ts with "cdk8s import" from the CRD files cdk8s.yaml lists, which must be
vendored under contracts/ (see contracts/SOURCES.md). Runs offline. Only files whose bytes differ
are written, generated files no CRD produces any more are removed, and cdk8s.yaml is never
rewritten (cdk8s import runs with --no-save).
To add or bump a CRD: put the upstream file into contracts/crds, add its row (with its sha256)
to contracts/SOURCES.md, list it in cdk8s.yaml (a prefix:= keeps two CRDs of one API group
apart), then npm run import and commit imports/ with it.`,
  options: {
    check: {
      type: 'boolean',
      description: 'regenerate into a temporary folder and compare with imports/ byte for byte; write nothing',
    },
  },
  interrupted: 'imports/ is as it was (the bindings are written at the end, in one step)',
  exitCodes: {
    0: 'bindings regenerated (or, with --check, imports/ matches byte for byte)',
    1: 'cdk8s import failed, or with --check imports/ differs',
    2: 'also: cdk8s.yaml lists a file that is not vendored under contracts/',
  },
  examples: ['npm run import', 'npm run import -- --check'],
});

/**
 * The command for the repository at `root` (src/core/script-main.ts): its cdk8s.yaml, contracts/,
 * imports/ and node_modules/.bin/cdk8s. Tests call it in process with a temporary copy of the
 * repository as `root`, so what it writes can only touch the copy.
 */
export function importCommand(root: string): ScriptMain {
  return scriptMain(script, async (options, { print }) => {
    const { compareBindings, generateBindings, importEntries, writeBindings } = await import(
      '../src/contracts/crd-bindings.js'
    );
    const entries = importEntries(root);
    const generated = generateBindings(root);
    const importsDir = join(root, 'imports');
    const check = options.check;
    const diff = check ? compareBindings(generated, importsDir) : writeBindings(generated, importsDir);
    const differing = [
      ...diff.changed.map((f) => `${f} (${check ? 'differs' : 'updated'})`),
      ...diff.added.map((f) => `${f} (${check ? 'missing' : 'added'})`),
      ...diff.stale.map((f) => `${f} (${check ? 'no CRD generates it' : 'removed: no CRD generates it'})`),
    ];
    if (check) {
      if (differing.length > 0) {
        throw new CommandError(
          `imports/ does not match cdk8s import of the ${entries.length} vendored CRDs: ${differing.join(', ')} (fix: npm run import, then commit imports/)`,
        );
      }
      print(
        `import: imports/ matches cdk8s import of the ${entries.length} vendored CRDs byte for byte (${diff.unchanged.length} files)`,
      );
    } else {
      print(
        differing.length > 0
          ? `import: ${entries.length} CRDs imported into imports/: ${differing.join(', ')}`
          : `import: ${entries.length} CRDs imported; imports/ was already up to date (${diff.unchanged.length} files)`,
      );
    }
    return 0;
  });
}

/** `npm run import`'s command, for this repository. */
export const main = importCommand(REPO_ROOT);

await runCommand(import.meta.url, script, main);
