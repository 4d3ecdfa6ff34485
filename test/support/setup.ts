/**
 * vitest's setup file (vitest.config.ts `setupFiles`): runs in each worker before each test file.
 * Every program product code starts through src/core/run-program.ts (git, helm, kubectl kustomize) is started from
 * the worker's small helper process instead of the large worker itself (./program-helper.ts).
 */
import { useProgramLauncher } from '../../src/core/run-program.js';
import { workerHelper } from './program-helper.js';

useProgramLauncher(workerHelper.launch);
