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

const problemsOf = (text: string, file = 'environments/backstage-wus2-v4.yaml'): string[] => environmentProblems(text, file);

describe('committed environments', () => {
  it('load and validate, with the defaults FACTS gives', () => {
    const { env } = loadEnvironment('backstage-wus2-v4');
    expect(env.namespace).toBe('arcade');
    expect(env.release).toMatchObject({ name: 'arcade', releaseName: 'arcade', driftDetection: 'warn' });
    expect(env.chart).toMatchObject({ url: 'oci://public.ecr.aws/s5i6x9d1/charts/arcade', version: '1.8.8' });
    expect(env.datastores.mode).toBe('managed');
    expect(env.secrets?.provider).toBe('sealed-secrets');
  });

  it('mark every fact FACTS.md does not give as unresolved, never as a guess', () => {
    const { env } = loadEnvironment('backstage-wus2-v4');
    expect(isUnresolved(env.oidc.issuer)).toBe(true);
    expect(isUnresolved(env.oidc.clientId)).toBe(true);
    expect(isUnresolved(env.llm.baseUrl)).toBe(true);
    const paths = findUnresolved(env).map((u) => u.path);
    expect(paths).toEqual(expect.arrayContaining(['oidc.issuer', 'oidc.clientId', 'llm.baseUrl', 'secrets.values.postgres.password', 'secrets.values.engine.root-key']));
  });

  it('the test fixture folder holds a valid second environment', () => {
    const names = loadEnvironments(FIXTURE_ENVIRONMENTS).map((l) => l.env.name);
    expect(names).toEqual(['staging']);
  });
});

describe('invalid environment definitions', () => {
  it('a misspelled field is named, with the fix', () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'relaseName'], 'arcade')));
    expect(problems).toEqual([expect.stringMatching(/^environments\/backstage-wus2-v4\.yaml: release: .*relaseName.*\(fix: remove 'relaseName' or correct the spelling/)]);
  });

  it('a missing required field is named, with the fix', () => {
    const problems = problemsOf(edited((d) => d.deleteIn(['hosts', 'api'])));
    expect(problems).toEqual([expect.stringMatching(/hosts\.api: .*\(fix: add the field/)]);
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

  it('a host with a scheme is refused', () => {
    const problems = problemsOf(edited((d) => d.setIn(['hosts', 'api'], 'https://api.arcade.st.dev')));
    expect(problems).toEqual([expect.stringMatching(/hosts\.api: must be a bare host name/)]);
  });

  it('managed datastores without a secrets section is refused, naming both ways out', () => {
    const problems = problemsOf(edited((d) => d.delete('secrets')));
    expect(problems).toEqual([expect.stringMatching(/secrets: datastores\.mode is 'managed' but no 'secrets' section.*or set datastores\.mode: bundled/)]);
  });

  it('managed datastores without the root key id is refused: the live key is useless under another id', () => {
    const problems = problemsOf(edited((d) => d.delete('engine')));
    expect(problems).toEqual([expect.stringMatching(/engine\.rootKeyId: datastores\.mode is 'managed'.*the LIVE engine uses/)]);
  });

  it('a release object apart from the workloads needs an explicit targetNamespace, naming the field', () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'namespace'], 'flux-system')));
    expect(problems).toEqual([expect.stringMatching(/release\.targetNamespace: release\.namespace is 'flux-system' .* would install the engine into 'flux-system'.*set release\.targetNamespace/)]);
    expect(() => environmentProblems(edited((d) => { d.setIn(['release', 'namespace'], 'flux-system'); d.setIn(['release', 'targetNamespace'], 'arcade'); }), 'x/backstage-wus2-v4.yaml')).toThrow(/was accepted/);
  });

  it('a Helm release name over 53 characters is refused (Helm\'s limit)', () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'releaseName'], `a${'-b'.repeat(27)}`)));
    expect(problems).toEqual([expect.stringMatching(/release\.releaseName: a Helm release name has at most 53 characters/)]);
  });

  it('passed-through chart values are accepted, but never a credential: it must come from a Secret through valuesFrom', () => {
    const withValues = (values: unknown) => edited((d) => d.setIn(['release', 'values'], d.createNode(values)));
    expect(() => environmentProblems(withValues({ replicaCount: 2, postgresql: { auth: { existingSecret: 'arcade-postgres', password: '${POSTGRES_PASSWORD}' } }, smtp: { host: 'smtp.example.com' } }), 'x/backstage-wus2-v4.yaml')).toThrow(/was accepted/);
    const problems = problemsOf(withValues({ postgresql: { auth: { password: 'arcade' } }, gateway: { apiToken: 'Zq3xV9tLmP8rW2sK7nB4' } }));
    expect(problems).toEqual([
      expect.stringMatching(/release\.values\.postgresql\.auth\.password: 'password' holds what looks like a credential.*release\.valuesFrom: \[\{ kind: Secret, name: <secret>, valuesKey: <key>, targetPath: postgresql\.auth\.password \}\]/),
      expect.stringMatching(/release\.values\.gateway\.apiToken: 'apiToken' holds what looks like a credential/),
    ]);
    // Neither value is printed back.
    expect(problems.join('\n')).not.toMatch(/Zq3xV9tLmP8rW2sK7nB4|: 'arcade'/);
  });

  it('a passed-through valuesFrom entry is checked against the HelmRelease CRD\'s shapes', () => {
    const problems = problemsOf(edited((d) => d.setIn(['release', 'valuesFrom'], d.createNode([{ kind: 'configmap', name: 'arcade-values', targetPath: 'a b' }]))));
    expect(problems).toEqual([
      expect.stringMatching(/release\.valuesFrom\.0\.kind: .*\(fix: use one of "ConfigMap", "Secret"\)/),
      expect.stringMatching(/release\.valuesFrom\.0\.targetPath: must be a Helm values path/),
    ]);
  });

  it('bundled datastores with a secrets section is refused', () => {
    const problems = problemsOf(edited((d) => d.setIn(['datastores', 'mode'], 'bundled')));
    expect(problems).toEqual([expect.stringMatching(/secrets: datastores\.mode is 'bundled'/)]);
  });

  it('a secret key left out is named: every key needs a value or an unresolved marker', () => {
    const problems = problemsOf(edited((d) => d.deleteIn(['secrets', 'values', 'postgres', 'password'])));
    expect(problems.join('\n')).toMatch(/secrets\.values\.postgres\.password/);
  });

  it('an unknown secret key is refused', () => {
    const problems = problemsOf(edited((d) => d.setIn(['secrets', 'values', 'redis', 'username'], { unresolved: 'not a key the stack knows' })));
    expect(problems.join('\n')).toMatch(/secrets\.values\.redis.*username/);
  });

  it('an unresolved marker needs a real reason', () => {
    const problems = problemsOf(edited((d) => d.setIn(['llm', 'baseUrl'], { unresolved: 'tbd' })));
    expect(problems.join('\n')).toMatch(/llm\.baseUrl/);
  });

  it('a plain-text value where ciphertext is expected is refused', () => {
    const problems = problemsOf(edited((d) => d.setIn(['secrets', 'values', 'oidc', 'client-secret'], 'not-ciphertext')));
    expect(problems.join('\n')).toMatch(/secrets\.values\.oidc\.client-secret/);
  });

  it('the name must match the file name', () => {
    const problems = problemsOf(edited((d) => d.set('name', 'backstage-wus2-v5')));
    expect(problems).toEqual([expect.stringMatching(/name: 'backstage-wus2-v5' does not match the file name \(fix: set name: backstage-wus2-v4/)]);
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
    expect(() => loadEnvironment('nope')).toThrow(/--env nope: no such environment \(fix: use one of backstage-wus2-v4\)/);
  });
});
