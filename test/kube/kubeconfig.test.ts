/**
 * The one kubeconfig policy (src/kube/kubeconfig.ts), kubectl's, case by case, each with its own
 * temporary HOME and environment (never the machine's): KUBECONFIG's merged list, else
 * ~/.kube/config, else the in-cluster service account (token files in a temporary folder through
 * the loader's injectable path), else a configuration error (exit 2) naming the fix. Each case
 * says where the configuration came from, the context and the server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/command-error.js';
import { describeKubeConfig, KubeConfigError, loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { tempDir } from '../support/temp.js';

/** A kubeconfig with one context per name, each on its own server; `current` its current context. */
function kubeconfig(dir: string, file: string, names: readonly string[], current?: string): string {
  const path = join(dir, file);
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...names.flatMap((n) => [`- name: ${n}`, '  cluster:', `    server: https://${n}.example.test`]),
    'users:',
    ...names.flatMap((n) => [`- name: ${n}`, '  user:', `    token: token-${n}`]),
    'contexts:',
    ...names.flatMap((n) => [`- name: ${n}`, '  context:', `    cluster: ${n}`, `    user: ${n}`]),
    ...(current ? [`current-context: ${current}`] : []),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A HOME with ~/.kube/config naming `home-cluster`. */
function homeWithConfig(): string {
  const home = tempDir('kc-home-');
  mkdirSync(join(home, '.kube'));
  kubeconfig(join(home, '.kube'), 'config', ['home-cluster'], 'home-cluster');
  return home;
}

/** A service account folder as a pod has it (token, namespace; the CA is read only when a request is made). */
function serviceAccount(): string {
  const dir = tempDir('kc-sa-');
  writeFileSync(join(dir, 'token'), 'sa-token');
  writeFileSync(join(dir, 'namespace'), 'arcade');
  return dir;
}

const NO_SA = '/nonexistent/serviceaccount';

describe('loadKubeConfig: kubectl rules for every command', () => {
  it('KUBECONFIG: the merged list, missing files skipped, the first current-context wins', async () => {
    const dir = tempDir('kc-');
    const a = kubeconfig(dir, 'a', ['alpha'], 'alpha');
    const b = kubeconfig(dir, 'b', ['beta'], 'beta');
    const env = { HOME: homeWithConfig(), KUBECONFIG: [join(dir, 'missing'), a, b].join(delimiter) };
    const loaded = await loadKubeConfig({ env, serviceAccountDir: NO_SA });
    expect(loaded.source).toBe(`KUBECONFIG ${a}${delimiter}${b}`);
    expect(loaded.context).toBe('alpha');
    expect(loaded.server).toBe('https://alpha.example.test');
    // The merge holds both files' contexts: --context picks one of the second file.
    const beta = await loadKubeConfig({ env, serviceAccountDir: NO_SA, context: 'beta' });
    expect([beta.context, beta.server]).toEqual(['beta', 'https://beta.example.test']);
    // A first file with no current-context leaves it to the next.
    const none = kubeconfig(dir, 'none', ['gamma']);
    const next = await loadKubeConfig({ env: { KUBECONFIG: [none, b].join(delimiter) }, serviceAccountDir: NO_SA });
    expect(next.context).toBe('beta');
    // A name both files use (a user or cluster called `default`): the first file's entry wins, as in kubectl.
    const again = join(dir, 'again');
    writeFileSync(
      again,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: alpha, cluster: {server: https://other.example.test}}, {name: delta, cluster: {server: https://delta.example.test}}]',
        'users: [{name: alpha, user: {token: other}}]',
        'contexts: [{name: alpha, context: {cluster: delta, user: alpha}}, {name: delta, context: {cluster: delta, user: alpha}}]',
        'current-context: delta',
        '',
      ].join('\n'),
    );
    const first = await loadKubeConfig({ env: { KUBECONFIG: [a, again].join(delimiter) }, serviceAccountDir: NO_SA });
    expect([first.context, first.server]).toEqual(['alpha', 'https://alpha.example.test']);
    const delta = await loadKubeConfig({
      env: { KUBECONFIG: [a, again].join(delimiter) },
      serviceAccountDir: NO_SA,
      context: 'delta',
    });
    expect(delta.server).toBe('https://delta.example.test');
  });

  it('only ~/.kube/config: read from HOME', async () => {
    const home = homeWithConfig();
    const announced: string[] = [];
    const loaded = await loadKubeConfig({
      env: { HOME: home, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: serviceAccount(),
      announce: (where) => announced.push(where),
    });
    expect(loaded.source).toBe(`~/.kube/config (${join(home, '.kube', 'config')})`);
    expect([loaded.context, loaded.server]).toEqual(['home-cluster', 'https://home-cluster.example.test']);
    expect(announced).toEqual([
      `https://home-cluster.example.test (context home-cluster, from ~/.kube/config (${join(home, '.kube', 'config')}))`,
    ]);
  });

  it('in a pod with no kubeconfig: the in-cluster service account', async () => {
    const sa = serviceAccount();
    const loaded = await loadKubeConfig({
      env: { HOME: tempDir('kc-empty-home-'), KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: sa,
    });
    expect(describeKubeConfig(loaded)).toBe(
      'https://10.96.0.1:443 (context inClusterContext, from in-cluster service account)',
    );
    expect(loaded.kc.getContextObject('inClusterContext')?.namespace).toBe('arcade');
    expect(loaded.kc.getCurrentUser()?.authProvider?.config?.tokenFile).toBe(join(sa, 'token'));
  });

  it('nothing: a configuration error (exit 2) naming the fix, never the localhost:8080 fallback', async () => {
    const env = {
      HOME: tempDir('kc-empty-home-'),
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
    };
    const refused = loadKubeConfig({ env, serviceAccountDir: NO_SA }, ', or use --from <dir|file>');
    await expect(refused).rejects.toBeInstanceOf(KubeConfigError);
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refused).rejects.toThrow(
      'no Kubernetes configuration: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod ' +
        'with a service account (fix: export KUBECONFIG=<file>, or use --from <dir|file>; no command falls back to a default address)',
    );
    expect(new KubeConfigError('x').exitCode).toBe(2);
  });

  it('refuses a KUBECONFIG of missing files, an unknown --context, and a kubeconfig with no current context', async () => {
    const dir = tempDir('kc-');
    await expect(
      loadKubeConfig({ env: { KUBECONFIG: join(dir, 'missing') }, serviceAccountDir: NO_SA }),
    ).rejects.toThrow(/KUBECONFIG names no existing file .*fix: point KUBECONFIG at a kubeconfig file/);
    const a = kubeconfig(dir, 'a', ['alpha'], 'alpha');
    await expect(loadKubeConfig({ env: { KUBECONFIG: a }, context: 'typo', serviceAccountDir: NO_SA })).rejects.toThrow(
      `--context typo: no such context in KUBECONFIG ${a} (fix: kubectl config get-contexts lists them)`,
    );
    const none = kubeconfig(dir, 'none', ['gamma']);
    await expect(loadKubeConfig({ kubeconfig: none, env: {}, serviceAccountDir: NO_SA })).rejects.toThrow(
      `--kubeconfig ${none}: no current context with a cluster server`,
    );
  });

  it('--kubeconfig wins over KUBECONFIG and ~/.kube/config', async () => {
    const dir = tempDir('kc-');
    const flag = kubeconfig(dir, 'flag', ['flagged'], 'flagged');
    const env = { HOME: homeWithConfig(), KUBECONFIG: kubeconfig(dir, 'env', ['from-env'], 'from-env') };
    const loaded = await loadKubeConfig({ kubeconfig: flag, env, serviceAccountDir: NO_SA });
    expect([loaded.source, loaded.context]).toEqual([`--kubeconfig ${flag}`, 'flagged']);
  });
});
