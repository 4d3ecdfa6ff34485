/**
 * `npm run synth` end to end (the script's command in process, test/support/run-script.ts; the
 * real esbuild bundle, node child process and folder swap): a new environment takes one file; a
 * failed synth leaves the previous output intact. The script as a process is proven by
 * test/scripts/every-script.test.ts and its signals by synth-interrupt.test.ts.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../scripts/synth.js';
import { ENVIRONMENTS_DIR } from '../../src/environments/load.js';
import { DIST_MARKER, DIST_MARKER_TEXT } from '../../src/tooling/output-dir.js';
import { FIXTURE_ENVIRONMENTS } from './helpers.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

async function synth(args: string[]) {
  const run = await runMain(main, args);
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

function environmentsWith(extra: Record<string, string>): string {
  const dir = tempDir('arcade-envs-');
  for (const f of readdirSync(ENVIRONMENTS_DIR).filter((f) => f.endsWith('.yaml')))
    cpSync(join(ENVIRONMENTS_DIR, f), join(dir, f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('npm run synth', () => {
  it('adding an environment takes one file and no code change', async () => {
    const envs = environmentsWith({ 'staging.yaml': readFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), 'utf8') });
    const out = join(tempDir('arcade-dist-'), 'dist');
    const run = await synth(['--out', out, '--environments', envs]);
    expect(run.code, run.out).toBe(0);
    // The staging fixture has the continuous mode on: its dashboard JSON for manual import and the
    // Mimir ruler's rule file sit at the top of dist/, beside (not in) the folder Flux applies; the
    // JSON is the same bytes as the ConfigMap's.
    expect(readdirSync(out).sort()).toEqual([
      DIST_MARKER,
      'backstage-wus2-v4',
      'staging',
      'staging.grafana-dashboard.json',
      'staging.mimir-rules.yaml',
    ]);
    expect(readdirSync(join(out, 'staging'))).toContain('alerts.yaml');
    expect(readdirSync(join(out, 'staging'))).toContain('kustomization.yaml');
    const configMap = parse(readFileSync(join(out, 'staging', 'dashboard.yaml'), 'utf8')) as {
      data: Record<string, string>;
    };
    expect(Object.values(configMap.data)).toEqual([readFileSync(join(out, 'staging.grafana-dashboard.json'), 'utf8')]);
    expect(run.out).toMatch(/staging: \d+ unresolved value\(s\)\n {2}- oidc\.clientId: fixture/);
  });

  it('a failed synth leaves the previous output exactly as it was, and says why', async () => {
    const out = join(tempDir('arcade-dist-'), 'dist');
    mkdirSync(join(out, 'backstage-wus2-v4'), { recursive: true });
    writeFileSync(join(out, DIST_MARKER), DIST_MARKER_TEXT);
    writeFileSync(join(out, 'backstage-wus2-v4', 'release.yaml'), 'last good output\n');
    const envs = environmentsWith({ 'broken.yaml': 'name: broken\ncluster: x\ndatastores: { mode: sideways }\n' });
    const run = await synth(['--out', out, '--environments', envs]);
    expect(run.code).toBe(2); // an invalid environment file is configuration
    expect(run.out).toMatch(/broken\.yaml: datastores\.mode: .*fix: use one of "bundled", "managed"/);
    expect(run.out).toMatch(/was left unchanged/);
    expect(readdirSync(out).sort()).toEqual([DIST_MARKER, 'backstage-wus2-v4']);
    expect(readFileSync(join(out, 'backstage-wus2-v4', 'release.yaml'), 'utf8')).toBe('last good output\n');
    expect(readdirSync(join(out, '..'))).toEqual(['dist']); // no staging folder left behind
  });
});
