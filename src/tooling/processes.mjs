// Whether a process is still running, for the tooling that leaves things behind named after the
// process that made them (synth's staging folders, the script bundles' generations and build lock)
// and removes them once that process is gone. Plain JavaScript so the launcher (launch.mjs) uses it
// without tsx.

/**
 * Is a process with this id still running? (EPERM: it runs, under another user.)
 * @param {number} pid
 * @returns {boolean}
 */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}
