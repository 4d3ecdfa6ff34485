/**
 * `npm run probe -- --targets <file>`: the targets YAML file read and validated (shape in
 * docs/probes.md "Targets"), every failure a configuration error naming the file and the fix.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { at } from '../core/at.js';
import { ConfigurationError } from '../core/command-error.js';
import { describeIssues } from '../environments/load.js';
import { TargetsSchema, type Targets } from '../environments/probe-targets.js';

/** Reads and validates a `--targets` YAML file. Throws ConfigurationError naming the field. */
export function readTargetsFile(file: string): Targets {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigurationError(
      `--targets ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (fix: give an existing YAML file)`,
    );
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigurationError(
      `${file}: YAML syntax: ${at(doc.errors, 0, 'YAML error').message.split('\n')[0]} (fix: correct the YAML at that line)`,
    );
  const input: unknown = doc.toJS();
  const parsed = TargetsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigurationError(describeIssues(file, parsed.error, input).join('\n'));
  return parsed.data;
}
