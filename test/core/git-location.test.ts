/**
 * The variables the stack's git runs without (src/core/git-location.ts): git's own list, as the
 * installed git prints it (a git that adds one fails here, so the list is looked at again), less the
 * configuration ones, kept on purpose; and the line that says which were ignored.
 */
import { describe, expect, it } from 'vitest';
import { gitTry } from '../../src/core/git.js';
import {
  ignoredLocationWarning,
  REPOSITORY_LOCATION_VARIABLES,
  withoutRepositoryLocation,
} from '../../src/core/git-location.js';

/**
 * In git's list, kept: they carry configuration (`git -c`) that every git reads alike, never a
 * repository's location. GIT_CONFIG is not kept: only `git config` reads it (src/core/git-location.ts).
 */
const KEPT_CONFIGURATION = ['GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT'];

describe('the repository-location variables', () => {
  it("hold every one of the installed git's `rev-parse --local-env-vars` but its configuration ones", async () => {
    const listed = await gitTry('/', ['rev-parse', '--local-env-vars']);
    expect(listed.failure).toBe('');
    const local = listed.stdout.split('\n').filter(Boolean);
    expect(local).toEqual(expect.arrayContaining([...KEPT_CONFIGURATION, 'GIT_CONFIG', 'GIT_DIR', 'GIT_INDEX_FILE']));
    const dropped: readonly string[] = REPOSITORY_LOCATION_VARIABLES;
    expect(local.filter((name) => !KEPT_CONFIGURATION.includes(name) && !dropped.includes(name))).toEqual([]);
    expect(dropped.filter((name) => KEPT_CONFIGURATION.includes(name))).toEqual([]);
    expect(dropped).toEqual(expect.arrayContaining(['GIT_NAMESPACE', 'GIT_CONFIG']));
  });

  it('are left out of the environment; the configuration, ssh and prompt ones are kept', () => {
    const kept = {
      PATH: '/bin',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_VALUE_0: 'Test',
      GIT_CONFIG_PARAMETERS: "'core.hooksPath'='/dev/null'",
      GIT_SSH_COMMAND: 'ssh -i key',
      GIT_ASKPASS: '/bin/false',
    };
    const env = { ...kept, GIT_DIR: '/other/.git', GIT_WORK_TREE: '/other', GIT_NAMESPACE: 'elsewhere' };
    expect(withoutRepositoryLocation(env)).toEqual(kept);
    expect(env.GIT_DIR).toBe('/other/.git');
  });

  it('are named in one line with their values, printable; nothing when none is set', () => {
    const uses = 'the export uses the checkout given by --repo';
    expect(ignoredLocationWarning({ PATH: '/bin', GIT_CONFIG_COUNT: '0' }, uses)).toBeUndefined();
    expect(ignoredLocationWarning({ GIT_WORK_TREE: '/w', GIT_DIR: '/w/.git\u001b[2J' }, uses)).toBe(
      `ignoring GIT_DIR=/w/.git\\u001b[2J, GIT_WORK_TREE=/w from the environment: ${uses}`,
    );
  });
});
