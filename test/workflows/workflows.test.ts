/**
 * The CI workflows in .github/workflows/ are checked with GitHub's own workflow and expression
 * parsers plus our rules (test/support/workflows.ts): the files as committed pass, and each rule
 * catches the mistake it is for (a broken copy of a real workflow).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { checkWorkflow } from '../support/workflows.js';

const DIR = join(REPO_ROOT, '.github', 'workflows');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
);
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

describe('.github/workflows', () => {
  it('holds the three pipelines', () => {
    expect(FILES.sort()).toEqual(['gitops-export.yml', 'post-deploy.yml', 'stack-pr.yml']);
  });

  it.each(FILES)('%s passes the workflow parser and every rule', async (file) => {
    expect(await checkWorkflow(file, read(file), SCRIPTS)).toEqual([]);
  });

  it('each rule catches its mistake', async () => {
    const base = read('stack-pr.yml');
    const broken = async (edit: (text: string) => string) =>
      (await checkWorkflow('x.yml', edit(base), SCRIPTS)).join('\n');
    expect(await broken((t) => t.replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v4'))).toMatch(
      /actions\/checkout@v4 is not pinned by a 40-hex commit SHA/,
    );
    expect(await broken((t) => t.replace('npm run check --', 'npm run chek --'))).toMatch(
      /npm run chek: no such script/,
    );
    expect(await broken((t) => t.replace("steps.gate.outputs.status != '0'", 'steps.gate.outputs.status !='))).toMatch(
      /Unexpected end of expression/,
    );
    expect(await broken((t) => t.replace('${{ github.base_ref }}', '${{ gihub.base_ref }}'))).toMatch(/gihub/);
    expect(await broken((t) => t.replace('"origin/$BASE_REF"', '"origin/${{ github.base_ref }}"'))).toMatch(
      /an expression in a run script/,
    );
    expect(
      await broken((t) => t.replace('permissions:\n  contents: read', 'permissions: write-all\nx:\n  contents: read')),
    ).toMatch(/permissions: write-all|Unexpected value 'x'/);
    expect(await broken((t) => t.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest'))).toMatch(
      /runs_on|runs-on/,
    );
  });

  it('least privilege, no race on a GitOps branch, secrets only from the secret store', () => {
    const pr = parse(read('stack-pr.yml'));
    expect(pr.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const exportFlow = parse(read('gitops-export.yml'));
    expect(exportFlow.permissions).toEqual({ contents: 'read' });
    expect(exportFlow.jobs.export.concurrency).toEqual({
      group: 'gitops-export-${{ matrix.environment }}',
      'cancel-in-progress': false,
    });
    const probe = parse(read('post-deploy.yml'));
    expect(probe.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(probe.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    // Every checkout leaves no token in .git/config.
    for (const file of FILES)
      for (const job of Object.values(parse(read(file)).jobs) as {
        steps: { uses?: string; with?: Record<string, unknown> }[];
      }[])
        for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@')))
          expect(step.with?.['persist-credentials'], `${file}: checkout without persist-credentials: false`).toBe(
            false,
          );
    // Secrets appear only as ${{ secrets.X }} values of env/with, never literally.
    for (const file of FILES)
      for (const m of read(file).matchAll(/secrets\.([A-Z_]+)/g))
        expect(['GITHUB_TOKEN', 'GITOPS_TOKEN', 'KUBECONFIG', 'ARCADE_API_KEY']).toContain(m[1]);
  });
});
