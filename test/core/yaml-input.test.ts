/**
 * YAML from outside the program (src/core/yaml-input.ts): an alias bomb or a syntax error is one line naming the file and the fix, in every command that
 * reads such a file, never "unexpected error (a bug…)". The commands run in process.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { main as checkValues } from '../../scripts/check-values.js';
import { main as crds } from '../../scripts/crds.js';
import { yamlDocuments, yamlProblemLine, yamlValue } from '../../src/core/yaml-input.js';
import { parseDocuments } from '../../src/check/manifests.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';
import { runMain } from '../support/run-script.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { writeDist } from '../check/support.js';

/** `a: &a [x × 10]`, `b: &b [*a × 10]`, …: 10^10 nodes once expanded, a few hundred bytes as text. */
function aliasBomb(): string {
  const lines = [`a: &a [${Array(10).fill('x').join(',')}]`];
  const names = 'abcdefghij';
  for (let i = 1; i < names.length; i++)
    lines.push(
      `${names[i]}: &${names[i]} [${Array(10)
        .fill(`*${names[i - 1]}`)
        .join(',')}]`,
    );
  return `${lines.join('\n')}\n`;
}

const UNEXPECTED = /unexpected error|ReferenceError|at .*\.js:\d+/;

describe('yamlDocuments', () => {
  it('turns an alias bomb and a syntax error into problems, never a throw', () => {
    expect(yamlDocuments(aliasBomb())).toEqual([
      expect.objectContaining({ problem: expect.stringMatching(/^YAML aliases: too many alias expansions/) }),
    ]);
    expect(yamlDocuments('a: [\n')[0]).toMatchObject({ problem: expect.stringMatching(/^YAML syntax: /) });
    // A few aliases are fine: the limit is the library's guard against expansion, not aliases as such.
    expect(yamlDocuments('a: &a [1, 2]\nb: *a\n')[0]?.value).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it("refuses through the caller's error, naming the file and the fix", () => {
    const refuse = (problems: string[]) => new Error(problems.join('\n'));
    expect(() => yamlValue(aliasBomb(), { file: 'f.yaml', refuse })).toThrow(
      /^f\.yaml: YAML aliases: .* \(fix: write the repeated values out instead of through aliases \(\*name\)\)$/,
    );
    expect(() => yamlValue('a: 1\n---\nb: 2\n', { file: 'f.yaml', refuse })).toThrow(
      /^f\.yaml: more than one YAML document \(fix: keep one document/,
    );
  });

  it("yamlProblemLine: a YAML problem's line, also of a reader's document that kept it; none for its own problems", () => {
    const [broken] = yamlDocuments('a: [\n');
    const line = `f.yaml: ${broken?.problem} (fix: correct the YAML at that line)`;
    expect(broken && yamlProblemLine('f.yaml', broken)).toBe(line);
    expect(broken && yamlProblemLine('f.yaml', broken, 'move it away')).toBe(
      `f.yaml: ${broken?.problem} (fix: correct the YAML at that line, or move it away)`,
    );
    // The gate's documents (src/check/manifests.ts): a YAML problem, and one of its own, without a fix.
    const [notYaml, notObject] = [...parseDocuments('a: [\n'), ...parseDocuments('kind: ConfigMap\n')];
    expect(notYaml && yamlProblemLine('f.yaml', notYaml)).toBe(line);
    expect(notObject?.problem).toBe('missing apiVersion, metadata.name');
    expect(notObject && yamlProblemLine('f.yaml', notObject)).toBeUndefined();
    expect(yamlProblemLine('f.yaml', { problem: undefined })).toBeUndefined();
  });
});

describe('an alias bomb in a file a command reads', () => {
  function environments(): string {
    const dir = tempDir('yaml-bomb-envs-');
    cpSync(FIXTURE_ENVIRONMENTS, dir, { recursive: true });
    writeFileSync(join(dir, 'bomb.yaml'), `name: bomb\n${aliasBomb()}`);
    return dir;
  }

  it("in an environment file: its command exits 2 in one line; another environment's command warns", async () => {
    const dir = environments();
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'replicaCount: 1\n');
    const own = await runMain(checkValues, ['--environments', dir, '--env', 'bomb', '--values', values], {
      cwd: REPO_ROOT,
    });
    expect(own.status).toBe(2);
    expect(own.stderr).toMatch(/bomb\.yaml: YAML aliases: too many alias expansions .*\(fix: write the repeated/);
    expect(own.stderr).not.toMatch(UNEXPECTED);
    const other = await runMain(checkValues, ['--environments', dir, '--env', 'staging', '--values', values], {
      cwd: REPO_ROOT,
    });
    expect(other.stderr).toMatch(
      /^check-values: warning: environment 'bomb' is invalid \(not used here\).*YAML aliases/,
    );
    expect(other.stderr).not.toMatch(UNEXPECTED);
    expect(other.stdout).toContain('check-values: staging:');
  });

  it('in a dist/ file: check reports the file (exit 1), and crds --from refuses it in one line (bad input: exit 2)', async () => {
    const dir = tempDir('yaml-bomb-dist-');
    const dist = writeDist(dir, 'test', { 'a.yaml': [] });
    writeFileSync(join(dist, 'test', 'a.yaml'), aliasBomb());
    const r = await runMain(check, ['--dist', dist, '--dist-only', '--skip-kustomize']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /a\.yaml:1: \[schema\.not-an-object\] document 1: YAML aliases: too many alias expansions/,
    );
    expect(r.stdout + r.stderr).not.toMatch(UNEXPECTED);

    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, aliasBomb());
    const c = await runMain(crds, ['--from', bomb, '--cache', join(dir, 'cache')]);
    expect(c.status).toBe(2);
    expect(c.stderr.trim()).toMatch(/^crds: .*bomb\.yaml: YAML aliases: too many alias expansions .*\(fix: write/);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('check-values --values <a file with no values>', () => {
  it('refuses an empty, comment-only or empty-map file (what helm show values > f leaves when helm fails), exit 2', async () => {
    const dir = tempDir('yaml-empty-values-');
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['comments.yaml', '# Default values for arcade.\n# (none)\n'],
      ['map.yaml', '{}\n'],
    ] as const) {
      const values = join(dir, name);
      writeFileSync(values, text);
      const r = await runMain(
        checkValues,
        ['--environments', FIXTURE_ENVIRONMENTS, '--env', 'staging', '--values', values],
        { cwd: REPO_ROOT },
      );
      expect(r.status, name).toBe(2);
      expect(r.stderr.trim()).toMatch(
        new RegExp(
          `^check-values: .*${name.replace('.', '\\.')}: holds no values .*\\(fix: save the output of helm show values`,
        ),
      );
      expect(r.stdout).not.toContain('ok:');
    }
  });
});
