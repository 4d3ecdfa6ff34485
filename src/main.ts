/**
 * The synth entry: composition only. For each environment, build its charts and write them.
 *
 *   node .build/main.cjs --out <dir> [--environments <dir>]
 *
 * `npm run synth` (scripts/synth.ts) bundles this file to .build/main.cjs and runs it into a
 * temporary folder, then swaps that folder into dist/ only on success. cdk8s.yaml names the
 * same bundle, so `cdk8s synth` runs identical code (but deletes dist/ first: prefer npm run synth).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvironments } from './environments/load.js';
import { CommandError } from './core/command-error.js';
import { DIST_MARKER, DIST_MARKER_TEXT } from './tooling/output-dir.js';
import { type EnvironmentOutput, formatNotes, formatUnresolved, synthAll } from './synth.js';

function main(): number {
  const parent = process.ppid;
  const { values } = parseArgs({
    options: { out: { type: 'string' }, environments: { type: 'string' } },
    strict: true,
  });
  // cdk8s synth passes its output folder in CDK8S_OUTDIR; the entry is the one place reading it.
  const out = values.out ?? process.env.CDK8S_OUTDIR;
  if (!out) {
    console.error('synth: no output folder (fix: pass --out <dir>, or run npm run synth)');
    return 2;
  }
  let outputs: EnvironmentOutput[];
  try {
    outputs = synthAll(loadEnvironments(values.environments).map((l) => l.env));
  } catch (err) {
    // Invalid environments (exit 2) and other refusals print their message alone; a bug its stack.
    if (err instanceof CommandError) {
      console.error(`synth: ${err.message}`);
      return err.exitCode;
    }
    console.error(`synth failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
  // An orphan (npm run synth killed with SIGKILL) must not write into a staging folder the next
  // run removes: stop before every file once the process that started this one has gone.
  const files = [
    ...outputs.flatMap((o) => [...o.files, ...o.extras]),
    { path: DIST_MARKER, content: DIST_MARKER_TEXT },
  ];
  for (const f of files) {
    if (process.ppid !== parent) {
      console.error(
        `synth: the process that started this synth (pid ${parent}) has gone; stopped before writing ${f.path}`,
      );
      return 1;
    }
    const path = join(out, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  const names = outputs.map((o) => `${o.env.name} (${o.files.length} files)`).join(', ');
  console.log(`synth: ${outputs.length} environment(s): ${names}`);
  const unresolved = formatUnresolved(outputs);
  if (unresolved)
    console.log(
      `synth: unresolved values (rendered as <unresolved: ...>, see README "First-deploy checklist"):\n${unresolved}`,
    );
  const notes = formatNotes(outputs);
  if (notes) console.log(`synth: notes:\n${notes}`);
  return 0;
}

process.exitCode = main();
