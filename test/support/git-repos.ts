/**
 * What every throwaway repository the tests make sets in its own configuration: no automatic
 * maintenance. By default each `git commit` and `git fetch` starts `git maintenance run --auto`
 * and each push a server receives starts `git gc --auto` (`maintenance.auto`, `gc.auto`,
 * `receive.autogc`, git-config(1)): a process each (about 15-25 ms of a test worker to start), for
 * repositories that live a few seconds. No test here is about maintenance; the product's own
 * commits in a user's checkout keep the user's configuration (the product sets none of these).
 */

/** The lines for a repository's `.git/config` (or a bare repository's `config`). */
export const NO_AUTO_MAINTENANCE = '[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n[receive]\n\tautogc = false\n';

/** The same as `-c` options: written into the new repository's config by `git clone`, or for one command. */
export const NO_AUTO_MAINTENANCE_ARGS: readonly string[] = [
  '-c',
  'maintenance.auto=false',
  '-c',
  'gc.auto=0',
  '-c',
  'receive.autogc=false',
];
