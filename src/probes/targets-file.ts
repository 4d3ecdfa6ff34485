/**
 * `npm run probe -- --targets <file>`: the targets YAML file read and validated (shape in
 * docs/probes.md "Targets"), every failure a configuration error naming the file and the fix.
 */
import { readFileSync } from 'node:fs';
import { yamlValue } from '../core/yaml-input.js';
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
  const input = yamlValue(text, { file, refuse: (problems) => new ConfigurationError(problems.join('\n')) });
  const parsed = TargetsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigurationError(describeIssues(file, parsed.error, input).join('\n'));
  return parsed.data;
}
