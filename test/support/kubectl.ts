/**
 * kubectl with its built-in kustomize, when installed (CI installs nothing else for it): an
 * executable file `kubectl` in a folder of PATH, found as the shell finds it, without starting it
 * (a kubectl start costs about as much CPU as a node start). KUBECTL_PATH is where it was found.
 */
import { accessSync, constants, statSync } from 'node:fs';
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
