/**
 * vitest's setup file (vitest.config.ts `setupFiles`): runs in each worker before each test file.
 * Every program product code starts through src/core/run-program.ts (git, helm, kubectl kustomize) is started from
 * the worker's small helper process instead of the large worker itself (./program-helper.ts).
 *
 * The kustomize builds are kept on disk (src/delivery/build-store.ts) in node_modules/.cache, unless
 * ARCADE_KUSTOMIZE_CACHE is set already (empty: kept in memory only): a warm run is answered from
 * the builds of the run before it, and the scripts the tests spawn inherit the setting. A fresh
 * clone has no such folder, and the bench's fresh run removes it (src/bench/test-bench.ts
 * FRESH_CACHES), so those run kubectl for every build. A test that counts kubectl runs uses a kubectl of
 * its own path (test/support/kubectl.ts countingKubectl): it is in the key, so never answered from
 * another run's builds.
 */
import { join } from 'node:path';
import { useProgramLauncher } from '../../src/core/run-program.js';
import { CACHE_VARIABLE } from '../../src/delivery/build-store.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { workerHelper } from './program-helper.js';

useProgramLauncher(workerHelper.launch);
process.env[CACHE_VARIABLE] ??= join(REPO_ROOT, 'node_modules', '.cache', 'arcade-kustomize');
