/**
 * Where the stack's git looks for the repository: only where the command says (the `cwd` each
 * call of ./git.ts gives, `--repo` for the export), never where the caller's environment points.
 *
 * git reads the repository's location from its environment before its working folder: a shell
 * left with `GIT_DIR=/other/repo/.git` (a git hook's environment, a script that exported it)
 * would make the export's `checkout -b`, `add`, `update-ref` write that other repository, past
 * every check the export makes of the checkout it was given. So every git the stack runs gets the
 * caller's environment without these variables (./git.ts `runOptions`), and a command that runs
 * git says once on stderr which ones it ignored (src/core/script-main.ts, ScriptSpec
 * `gitRepository`). Kept: the configuration variables (`GIT_CONFIG_COUNT`/`_KEY_<n>`/`_VALUE_<n>`,
 * `GIT_CONFIG_PARAMETERS`: the `git -c` a caller gives, which every git reads alike: identity,
 * safe.directory, the tests' settings), and the ones that
 * say how to reach a remote (`GIT_SSH*`, `GIT_ASKPASS`, `GIT_TERMINAL_PROMPT`, proxies), none of
 * which names a repository.
 *
 * The list is git's own: `git rev-parse --local-env-vars` (git-rev-parse(1): "the GIT_*
 * environment variables that are local to the repository"; git's environment.c
 * `local_repo_env`, what git itself clears before it runs in another repository, a submodule's),
 * as git 2.39 prints it (GIT_INTERNAL_SUPER_PREFIX included, which later gits no longer read),
 * less GIT_CONFIG_PARAMETERS and GIT_CONFIG_COUNT (kept, above), plus GIT_NAMESPACE
 * (git(1), gitnamespaces(7)): not in that list, it moves every ref git reads and writes under
 * refs/namespaces/<name>/, so the export's branch would be made where no one looks.
 * `GIT_CONFIG` is dropped too, although it names no repository: it replaces the file `git config`
 * reads and no other git command reads it, so the export's own `git config --get commit.gpgsign`
 * read `GIT_CONFIG=/dev/null` as "not signed" while the checkout asks for signing, and committed
 * unsigned (test/delivery/export-signing.test.ts).
 * test/core/git-location.test.ts checks that every name the installed git prints is here or kept,
 * so a git that adds one fails there.
 */
import { printable } from './printable.js';

/** The variables that point git at a repository, its objects, index, refs or work tree (see above). */
export const REPOSITORY_LOCATION_VARIABLES = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_OBJECT_DIRECTORY',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_REPLACE_REF_BASE',
  'GIT_PREFIX',
  'GIT_INTERNAL_SUPER_PREFIX',
  'GIT_SHALLOW_FILE',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_CONFIG',
] as const;

/** `env` without the repository-location variables: the environment every git of the stack runs with. */
export function withoutRepositoryLocation(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = { ...env };
  for (const name of REPOSITORY_LOCATION_VARIABLES) delete kept[name];
  return kept;
}

/**
 * The line a command that runs git prints once when `env` sets any of those variables, naming each
 * with its value (printable: a value is the caller's text), then what git uses instead (`uses`);
 * undefined when none is set.
 */
export function ignoredLocationWarning(env: NodeJS.ProcessEnv, uses: string): string | undefined {
  const set = REPOSITORY_LOCATION_VARIABLES.filter((name) => env[name] !== undefined);
  if (set.length === 0) return undefined;
  const named = set.map((name) => `${name}=${printable(env[name] ?? '')}`).join(', ');
  return `ignoring ${named} from the environment: ${uses}`;
}
