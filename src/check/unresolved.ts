/**
 * Unresolved values in dist/: the visible `<unresolved: reason>` markers synth writes in place of
 * values nobody has confirmed, and SealedSecret keys left out and listed in the
 * `arcade-stack.dev/unresolved-keys` annotation. They are warnings, not failures: they are the
 * first-deploy checklist, and `npm run export` refuses them unless told otherwise.
 */
import type { KubeObject } from '../core/manifests.js';
import { UNRESOLVED_KEYS_ANNOTATION } from '../constructs/secret-source.js';
import { unresolvedReasonIn } from '../core/unresolved-text.js';
import { childPath, type Finding } from './finding.js';
import { refOf } from './manifests.js';
import { isRecord } from '../core/is-record.js';
import { printableCapped } from '../core/printable.js';

function walk(value: unknown, path: string, visit: (path: string, reason: string) => void): void {
  if (typeof value === 'string') {
    const reason = unresolvedReasonIn(value);
    if (reason !== undefined) visit(path, reason);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walk(v, childPath(path, i), visit);
    });
  } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, childPath(path, k), visit);
}

export function unresolvedWarnings(object: KubeObject, file: string, line: number): Finding[] {
  const out: Finding[] = [];
  const base = { severity: 'warning' as const, area: 'unresolved' as const, file, line, object: refOf(object) };
  walk(object, '', (path, reason) => {
    out.push({
      ...base,
      path,
      rule: 'unresolved.value',
      // Environment text: escaped and capped here, so the terminal, JSON and Markdown show one short line.
      message: `unresolved: ${printableCapped(reason)}`,
      fix: 'resolve it in the environment file, then npm run synth',
    });
  });
  const annotations = isRecord(object.metadata.annotations) ? object.metadata.annotations : {};
  const keys = annotations[UNRESOLVED_KEYS_ANNOTATION];
  if (typeof keys === 'string' && keys !== '') {
    out.push({
      ...base,
      path: `metadata.annotations["${UNRESOLVED_KEYS_ANNOTATION}"]`,
      rule: 'unresolved.secret-keys',
      message: `keys not sealed yet: ${keys}`,
      fix: 'npm run seal -- --env <env> --secret <id> --key <key> for each, then npm run synth',
    });
  }
  return out;
}
