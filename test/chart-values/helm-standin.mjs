#!/usr/bin/env node
// A stand-in for `helm template`, put first on PATH by the tests. It behaves like a chart whose
// templates read only the keys in its default values: it merges the --values file over the
// defaults (HELM_STANDIN_DEFAULTS) and prints only the keys the defaults declare (whole subtrees
// below free-form maps). An override the chart does not know therefore changes nothing.
// Every invocation's arguments are appended to HELM_STANDIN_LOG (one JSON line each).
import { appendFileSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const args = process.argv.slice(2);
if (process.env.HELM_STANDIN_LOG) appendFileSync(process.env.HELM_STANDIN_LOG, `${JSON.stringify(args)}\n`);
if (args[0] !== 'template') {
  process.stderr.write(`helm stand-in: only 'template' is supported, got ${args[0]}\n`);
  process.exit(1);
}
if (process.env.HELM_STANDIN_FAIL) {
  process.stderr.write('Error: chart "arcade" version "1.8.8" not found\n');
  process.exit(1);
}
const isMap = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const merge = (base, over) => {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
};
const prune = (defaults, merged) => {
  if (!isMap(defaults) || Object.keys(defaults).length === 0 || !isMap(merged)) return merged;
  const out = {};
  for (const k of Object.keys(defaults)) out[k] = prune(defaults[k], merged[k]);
  return out;
};
const defaults = parse(readFileSync(process.env.HELM_STANDIN_DEFAULTS, 'utf8')) ?? {};
const user = parse(readFileSync(args[args.indexOf('--values') + 1], 'utf8')) ?? {};
const rendered = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: args[1] },
  data: { values: JSON.stringify(prune(defaults, merge(defaults, user))) },
};
process.stdout.write(`---\n${stringify(rendered)}`);
