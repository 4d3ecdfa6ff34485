/**
 * Runs a script under scripts/ as `npm run` does (package.json: `node src/tooling/launch.mjs
 * <name>`, the plain-node launcher that runs the script's bundle), without npm's start-up,
 * asynchronously so tests can run several at once.
 */
import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The arguments of `node` that run the script at `file` (`<repository>/scripts/<name>.ts`) with
 * `args`, as `npm run <name> -- <args>` does.
 */
export function scriptCommand(file: string, args: readonly string[]): string[] {
  return [join(dirname(file), '..', 'src', 'tooling', 'launch.mjs'), basename(file, '.ts'), ...args];
}

/**
 * Runs the script at `file` with `args` as `npm run` does; `uid`/`gid`: as another user (root only);
 * `detached`: leading a process group of its own, as a terminal's foreground job (a signal sent to
 * its group reaches it and its children, not the test runner).
 */
export function spawnScript(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; detached?: boolean },
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, scriptCommand(file, args), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      ...(options.detached ? { detached: true } : {}),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
