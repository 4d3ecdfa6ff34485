/**
 * Environment definitions: the committed ones load, bad ones fail with the file, the field and
 * the fix — every problem at once.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { EnvironmentError, ENVIRONMENTS_DIR, loadEnvironment, loadEnvironments } from '../../src/environments/load.js';
import { findUnresolved, isUnresolved } from '../../src/environments/unresolved.js';
import { environmentProblems, FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';

const PRODUCTION = join(ENVIRONMENTS_DIR, 'backstage-wus2-v4.yaml');

/** Takes the production file, applies an edit to its parsed document, returns the YAML text. */
function edited(edit: (doc: ReturnType<typeof parseDocument>) => void, source = PRODUCTION): string {
  const doc = parseDocument(readFileSync(source, 'utf8'));
  edit(doc);
  return doc.toString();
}

const problemsOf = (text: string, file = 'environments/backstage-wus2-v4.yaml'): string[] =>
  environmentProblems(text, file);

describe('committed environments', () => {
  it('load and validate, with the defaults FACTS gives', () => {
    const { env } = loadEnvironment('backstage-wus2-v4');
    expect(env.namespace).toBe('arcade');
    expect(env.release).toMatchObject({ name: 'arcade', releaseName: 'arcade', driftDetection: 'warn' });
    expect(env.chart).toMatchObject({ url: 'oci://public.ecr.aws/s5i6x9d1/charts/arcade', version: '1.8.8' });
    expect(env.datastores.mode).toBe('managed');
    expect(env.secrets?.provider).toBe('sealed-secrets');
    expect(env.monitoring).toEqual({
      scrapeLabels: { release: 'prometheus-operator' },
      exclusionLabels: { 'grafana-agent': 'external' },
    });
  });

  it('mark every fact FACTS.md does not give as unresolved, never as a guess', () => {
    const { env } = loadEnvironment('backstage-wus2-v4');
    expect(isUnresolved(env.oidc.issuer)).toBe(true);
    expect(isUnresolved(env.oidc.clientId)).toBe(true);
    expect(isUnresolved(env.llm.baseUrl)).toBe(true);
    const paths = findUnresolved(env).map((u) => u.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'oidc.issuer',
        'oidc.clientId',
        'llm.baseUrl',
        'secrets.values.postgres.password',
        'secrets.values.engine.root-key',
      ]),
    );
  });

  it('the test fixture folder holds a valid second environment', () => {
    const names = loadEnvironments(FIXTURE_ENVIRONMENTS).map((l) => l.env.name);
    expect(names).toEqual(['staging']);
  });
});

describe('invalid environment definitions', () => {
  it('a misspelled field is named, with the fix', () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'relaseName'], 'arcade')));
    expect(problems).toEqual([
      expect.stringMatching(
        /^environments\/backstage-wus2-v4\.yaml: release: .*relaseName.*\(fix: remove 'relaseName' or correct the spelling/,
      ),
    ]);
  });

  it('a missing required field is named, with the fix', () => {
    const problems = problemsOf(edited((d) => d.deleteIn(['hosts', 'api'])));
    expect(problems).toEqual([expect.stringMatching(/hosts\.api: .*\(fix: add the field/)]);
  });

  it('a field of the wrong type is told to change its type, not to be added', () => {
    const problems = problemsOf(edited((d) => d.set('cluster', 5)));
    expect(problems).toEqual([
      'environments/backstage-wus2-v4.yaml: cluster: Invalid input: expected string, received number (fix: give a value of type string instead of a number)',
    ]);
    const emptied = problemsOf(edited((d) => d.set('hosts', null)));
    expect(emptied).toEqual([
      expect.stringMatching(/: hosts: .*\(fix: give a value of type object instead of an empty value\)$/),
    ]);
    const listed = problemsOf(edited((d) => d.set('oidc', ['a'])));
    expect(listed).toEqual([
      expect.stringMatching(/: oidc: .*\(fix: give a value of type object instead of a list\)$/),
    ]);
  });

  it('a value outside a closed set lists the allowed values', () => {
    const problems = problemsOf(edited((d) => d.setIn(['datastores', 'mode'], 'external')));
    expect(problems).toEqual([expect.stringMatching(/datastores\.mode: .*\(fix: use one of "bundled", "managed"\)/)]);
  });

  it('a bad duration and a bad chart version are both reported at once', () => {
    const problems = problemsOf(
      edited((d) => {
        d.setIn(['release', 'interval'], 'ten minutes');
        d.setIn(['chart', 'version'], 'latest');
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/release\.interval: must be a Go duration/);
    expect(problems.join('\n')).toMatch(/chart\.version: must be an exact chart version/);
  });

  it('a scrape convention that could select nothing, or a label that is not a label, is refused', () => {
    const both = problemsOf(
      edited((d) =>
        d.set('monitoring', {
          scrapeLabels: { release: 'prometheus-operator' },
          exclusionLabels: { release: 'prometheus-operator' },
        }),
      ),
    );
    expect(both).toEqual([
      expect.stringMatching(
        /monitoring\.exclusionLabels\.release: release: prometheus-operator is both a scrape label and an exclusion label/,
      ),
    ]);
    const bad = problemsOf(edited((d) => d.set('monitoring', { scrapeLabels: { 'not a key': 'x' } })));
    expect(bad).toEqual([
      expect.stringMatching(
        new RegExp(
          /monitoring\.scrapeLabels\.not a key: Invalid key in record: scrapeLabels: keys must be/.source +
            / Kubernetes label keys such as .* \(fix: rename the key as the message says\)$/.source,
        ),
      ),
    ]);
  });

  it('a host with a scheme is refused', () => {
    const problems = problemsOf(edited((d) => d.setIn(['hosts', 'api'], 'https://api.arcade.st.dev')));
    expect(problems).toEqual([expect.stringMatching(/hosts\.api: must be a bare host name/)]);
  });

  it('an internationalized host is refused naming its punycode form, the form DNS and TLS take', () => {
    const problems = problemsOf(edited((d) => d.setIn(['hosts', 'api'], 'bücher.example')));
    expect(problems).toEqual([
      expect.stringContaining(
        'hosts.api: must be written in ASCII: an internationalized name in its punycode form (xn--...), ' +
          'here xn--bcher-kva.example (fix: write xn--bcher-kva.example)',
      ),
    ]);
    expect(problems.join('\n')).not.toContain('bare host name');
    const none = problemsOf(edited((d) => d.setIn(['hosts', 'api'], 'bücher example')));
    expect(none).toEqual([
      expect.stringMatching(/hosts\.api: must be written in ASCII: .*, and this one has none \(fix: /),
    ]);
  });

  it('a URL or a port where a bare host is expected is told so, whatever letters it holds', () => {
    for (const value of ['https://bücher.example/x', 'bücher.example/x', 'bücher.example:8443']) {
      const problems = problemsOf(edited((d) => d.setIn(['hosts', 'api'], value)));
      expect(problems, value).toEqual([
        expect.stringMatching(
          /hosts\.api: must be a bare host name such as api\.arcade\.example\.com \(no scheme, no path\)/,
        ),
      ]);
    }
  });

  it('managed datastores without a secrets section is refused, naming both ways out', () => {
    const problems = problemsOf(edited((d) => d.delete('secrets')));
    expect(problems).toEqual([
      expect.stringMatching(
        /secrets: datastores\.mode is 'managed' but no 'secrets' section.*or set datastores\.mode: bundled/,
      ),
    ]);
  });

  it('managed datastores without the root key id is refused: the live key is useless under another id', () => {
    const problems = problemsOf(edited((d) => d.delete('engine')));
    expect(problems).toEqual([
      expect.stringMatching(/engine\.rootKeyId: datastores\.mode is 'managed'.*the LIVE engine uses/),
    ]);
  });

  it('a release object apart from the workloads needs an explicit targetNamespace, naming the field', () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'namespace'], 'flux-system')));
    expect(problems).toEqual([
      expect.stringMatching(
        /release\.targetNamespace: release\.namespace is 'flux-system' .* would install the engine into 'flux-system'.*set release\.targetNamespace/,
      ),
    ]);
    expect(() =>
      environmentProblems(
        edited((d) => {
          d.setIn(['release', 'namespace'], 'flux-system');
          d.setIn(['release', 'targetNamespace'], 'arcade');
        }),
        'x/backstage-wus2-v4.yaml',
      ),
    ).toThrow(/was accepted/);
  });

  it("a Helm release name over 53 characters is refused (Helm's limit)", () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'releaseName'], `a${'-b'.repeat(27)}`)));
    expect(problems).toEqual([
      expect.stringMatching(/release\.releaseName: a Helm release name has at most 53 characters/),
    ]);
  });

  it('passed-through chart values are accepted, but never a credential: it must come from a Secret through valuesFrom', () => {
    const withValues = (values: unknown) => edited((d) => d.setIn(['release', 'values'], d.createNode(values)));
    expect(() =>
      environmentProblems(
        withValues({
          replicaCount: 2,
          postgresql: { auth: { existingSecret: 'arcade-postgres', password: '${POSTGRES_PASSWORD}' } },
          smtp: { host: 'smtp.example.com' },
        }),
        'x/backstage-wus2-v4.yaml',
      ),
    ).toThrow(/was accepted/);
    const problems = problemsOf(
      withValues({ postgresql: { auth: { password: 'arcade' } }, gateway: { apiToken: 'Zq3xV9tLmP8rW2sK7nB4' } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          /release\.values\.postgresql\.auth\.password: 'password' holds what looks like a/.source +
            / credential.*release\.valuesFrom: \[\{ kind: Secret, name: <secret>, valuesKey: <key>,/.source +
            / targetPath: postgresql\.auth\.password \}\]/.source,
        ),
      ),
      expect.stringMatching(/release\.values\.gateway\.apiToken: 'apiToken' holds what looks like a credential/),
    ]);
    // Neither value is printed back.
    expect(problems.join('\n')).not.toMatch(/Zq3xV9tLmP8rW2sK7nB4|: 'arcade'/);
  });

  it("a passed-through valuesFrom entry is checked against the HelmRelease CRD's shapes", () => {
    const problems = problemsOf(
      edited((d) =>
        d.setIn(
          ['release', 'valuesFrom'],
          d.createNode([{ kind: 'configmap', name: 'arcade-values', targetPath: 'a b' }]),
        ),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/release\.valuesFrom\.0\.kind: .*\(fix: use one of "ConfigMap", "Secret"\)/),
      expect.stringMatching(/release\.valuesFrom\.0\.targetPath: must be a Helm values path/),
    ]);
  });

  it('bundled datastores refuse the datastore Secrets, naming each (they would not be used)', () => {
    const problems = problemsOf(edited((d) => d.setIn(['datastores', 'mode'], 'bundled')));
    expect(problems).toEqual(
      ['postgres', 'redis', 'engine', 'oidc'].map((id) =>
        expect.stringMatching(
          new RegExp(`secrets\\.values\\.${id}: datastores\\.mode is 'bundled'.*would not be used`),
        ),
      ),
    );
  });

  it('the LLM key Secret is required in both datastore modes', () => {
    expect(problemsOf(edited((d) => d.deleteIn(['secrets', 'values', 'llm'])))).toEqual([
      expect.stringMatching(
        /secrets\.values\.llm: datastores\.mode is 'managed', so the release reads the llm Secret; give every key \(api-key\)/,
      ),
    ]);
    const bundledWithout = edited((d) => {
      d.setIn(['datastores', 'mode'], 'bundled');
      d.delete('secrets');
    });
    expect(problemsOf(bundledWithout)).toEqual([
      expect.stringMatching(/secrets: the engine's LLM API key is read from a Secret in every mode/),
    ]);
  });

  it('a secret key left out is named: every key needs a value or an unresolved marker', () => {
    const problems = problemsOf(edited((d) => d.deleteIn(['secrets', 'values', 'postgres', 'password'])));
    expect(problems.join('\n')).toMatch(/secrets\.values\.postgres\.password/);
  });

  it('an unknown secret key is refused', () => {
    const problems = problemsOf(
      edited((d) => d.setIn(['secrets', 'values', 'redis', 'username'], { unresolved: 'not a key the stack knows' })),
    );
    expect(problems.join('\n')).toMatch(/secrets\.values\.redis.*username/);
  });

  it('an unresolved marker needs a real reason', () => {
    const problems = problemsOf(edited((d) => d.setIn(['llm', 'baseUrl'], { unresolved: 'tbd' })));
    expect(problems.join('\n')).toMatch(/llm\.baseUrl/);
  });

  it('a plain-text value where ciphertext is expected is refused', () => {
    const problems = problemsOf(
      edited((d) => d.setIn(['secrets', 'values', 'oidc', 'client-secret'], 'not-ciphertext')),
    );
    expect(problems.join('\n')).toMatch(/secrets\.values\.oidc\.client-secret/);
  });

  it('the name must match the file name', () => {
    const problems = problemsOf(edited((d) => d.set('name', 'backstage-wus2-v5')));
    expect(problems).toEqual([
      expect.stringMatching(
        /name: 'backstage-wus2-v5' does not match the file name \(fix: set name: backstage-wus2-v4/,
      ),
    ]);
  });

  it('a YAML syntax error is reported with its position', () => {
    const problems = problemsOf('name: a\nhosts: [unclosed\n');
    expect(problems[0]).toMatch(/YAML syntax/);
  });

  it('loading a folder reports the problems of every file together', () => {
    const dir = tempDir('arcade-envs-');
    writeFileSync(join(dir, 'one.yaml'), 'name: one\n');
    writeFileSync(join(dir, 'two.yaml'), 'name: two\ncluster: Not_A_Label\n');
    let error: unknown;
    try {
      loadEnvironments(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const text = (error as EnvironmentError).problems.join('\n');
    expect(text).toMatch(/one\.yaml: cluster/);
    expect(text).toMatch(/two\.yaml: cluster: cluster must be a DNS-1123 label/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown --env names the known ones', () => {
    expect(() => loadEnvironment('nope')).toThrow(
      /--env nope: no such environment \(fix: use one of backstage-wus2-v4\)/,
    );
  });
});

/** A folder holding a copy of the committed environment plus `files`. */
function folderWith(files: Record<string, string>): string {
  const dir = tempDir('arcade-envs-');
  writeFileSync(join(dir, 'backstage-wus2-v4.yaml'), readFileSync(PRODUCTION, 'utf8'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsLoading(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof EnvironmentError) return [...err.problems];
    throw err;
  }
  throw new Error('expected an EnvironmentError');
}

describe('environment files', () => {
  it('a .yml beside the .yaml is refused, naming both files (absolute outside the working folder) and the fix, never read', () => {
    const dir = folderWith({ 'backstage-wus2-v4.yml': 'name: backstage-wus2-v4\ncluster: other-values\n' });
    const yml = join(dir, 'backstage-wus2-v4.yml');
    const yaml = join(dir, 'backstage-wus2-v4.yaml');
    const expected = [
      `${yml}: a second file for environment 'backstage-wus2-v4' beside ${yaml} (fix: keep one ` +
        `file, backstage-wus2-v4.yaml: move what backstage-wus2-v4.yml holds into it and delete backstage-wus2-v4.yml)`,
    ];
    expect(problemsLoading(() => loadEnvironments(dir))).toEqual(expected);
    expect(problemsLoading(() => loadEnvironment('backstage-wus2-v4', dir))).toEqual(expected);
  });

  it('an environment file with another extension is refused, with the name to rename it to', () => {
    const dir = folderWith({ 'other.YML': 'name: other\n', 'notes.txt': 'not an environment' });
    expect(problemsLoading(() => loadEnvironments(dir))).toEqual([
      `${join(dir, 'other.YML')}: environment files end in .yaml (fix: rename it to other.yaml)`,
    ]);
  });

  it('--env loads only that environment: another broken file is a warning, and synth of all still refuses', () => {
    const dir = folderWith({ 'other.yaml': 'name: other\n', 'third.yml': 'name: third\n' });
    const selected = loadEnvironment('backstage-wus2-v4', dir);
    expect(selected.env.name).toBe('backstage-wus2-v4');
    expect(selected.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          /^environment 'other' is invalid \(not used here; \d+ problems, all shown with --env/.source +
            / other\), the first: .*other\.yaml: cluster: .*\(fix: add the field/.source,
        ),
      ),
      expect.stringMatching(
        /^environment 'third' is invalid \(not used here\): .*third\.yml: environment files end in \.yaml/,
      ),
    ]);
    expect(problemsLoading(() => loadEnvironments(dir))).toEqual(
      expect.arrayContaining([expect.stringMatching(/other\.yaml: cluster:/), expect.stringMatching(/third\.yml:/)]),
    );
    expect(problemsLoading(() => loadEnvironment('other', dir))[0]).toMatch(
      /other\.yaml: cluster: .*\(fix: add the field/,
    );
  });

  it('without --env, the only environment is chosen; with several, --env is required', () => {
    expect(loadEnvironment(undefined).env.name).toBe('backstage-wus2-v4');
    const dir = folderWith({ 'other.yaml': 'name: other\n' });
    expect(problemsLoading(() => loadEnvironment(undefined, dir))).toEqual([
      '--env is required: there are 2 environments (backstage-wus2-v4, other) (fix: pass --env <name>)',
    ]);
  });
});
