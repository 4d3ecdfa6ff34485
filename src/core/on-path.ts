/**
 * Where a program name without `/` is found, as execFile and the shell find it: the first
 * executable regular file of that name in a folder of PATH (an empty entry is the working folder),
 * found without starting it. Used by the kustomize build store (a kubectl's identity,
 * src/delivery/build-store.ts) and the tests' kubectl (test/support/kubectl.ts).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';

/** The file `name` runs as from `path` (PATH's value), or undefined when no folder of it holds one. */
export function onPath(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    const file = resolve(dir || '.', name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
