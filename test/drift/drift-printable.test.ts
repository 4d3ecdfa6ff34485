/**
 * What drift prints of the cluster is printable (src/drift/drift.ts): a live ConfigMap value with a
 * C1 control (U+009B, CSI on some terminals), which JSON.stringify leaves raw, and an object only in
 * the cluster whose name carries one, reach stdout as `\u009b` escapes, through the script itself
 * (scripts/drift.ts's `main`) against a loopback API server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { main } from '../../scripts/drift.js';
import { MANAGED_BY } from '../../src/constructs/labels.js';
import { type KubeApi, startKubeApi } from '../../src/loopback/kube-api.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const ENV = 'backstage-wus2-v4';
let api: KubeApi | undefined;
afterEach(async () => api?.close());

const configMap = (name: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'arcade', labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } },
  data: { greeting: value },
});

it('a live value and a name with a C1 control are printed as escapes, never raw', async () => {
  const dist = tempDir('drift-dist-');
  mkdirSync(join(dist, ENV));
  writeFileSync(
    join(dist, ENV, 'greeting.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: arcade\n' +
      `  labels:\n    app.kubernetes.io/managed-by: ${MANAGED_BY}\ndata:\n  greeting: hello\n`,
  );
  api = await startKubeApi();
  api.put(configMap('greeting', '\u009b2J\u202eowned'));
  api.put(configMap('evil\u009b2J', 'x'));
  const r = await runMain(main, ['--env', ENV, '--dist', dist, '--kubeconfig', api.kubeconfig, '--timeout', '5']);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(1);
  expect(r.stdout.split('\n').slice(1)).toEqual([
    `+ only in cluster (labelled managed-by ${MANAGED_BY}): ConfigMap arcade/evil\\u009b2J`,
    '~ differs: ConfigMap arcade/greeting (greeting.yaml)',
    '    data.greeting: dist "hello", cluster "\\u009b2J\\u202eowned"',
    '',
  ]);
  expect(r.stdout).not.toMatch(/[\u0080-\u009f\u202e]/);
});
