/**
 * A word as a POSIX shell reads it back unchanged: as it is when it holds only characters no shell
 * treats specially, else single-quoted (a `'` in it written `'\''`). For the commands a message
 * gives as its fix, so they paste as they are whatever a path or a branch name holds.
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
