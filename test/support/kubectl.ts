/**
 * kubectl with its built-in kustomize, when installed (CI installs nothing else for it): an
 * executable file `kubectl` in a folder of PATH, found as the shell finds it, without starting it
 * (a kubectl start costs about as much CPU as a node start). KUBECTL_PATH is where it was found.
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const KUBECTL_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir || '.', 'kubectl'))
  .find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
export const KUBECTL = KUBECTL_PATH !== undefined;

/**
 * A `kubectl` that never ends by itself and, sent SIGTERM, notes it and exits 0: a program that
 * outlives a SIGTERM would hold a timed-out caller (spawnSync waits for it to end), so a caller's
 * timeout must kill with SIGKILL, which it cannot note. `gotTerm()`: whether it was sent SIGTERM.
 */
export function kubectlNotingTerm(dir: string): { readonly kubectl: string; readonly gotTerm: () => boolean } {
  const kubectl = join(dir, 'kubectl');
  writeFileSync(kubectl, `#!/bin/sh\ntrap 'echo TERM > "$0.term"; exit 0' TERM\nwhile :; do sleep 0.05; done\n`, {
    mode: 0o755,
  });
  return { kubectl, gotTerm: () => existsSync(`${kubectl}.term`) };
}
