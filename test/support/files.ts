/**
 * Files the bundle and build record tests write (test/tooling/synth-bundle.test.ts,
 * probe-runner-bundle.test.ts, script-bundle.test.ts, build-record.test.ts): a source with a
 * modification time in the past, so that a write is told by content, not by time, and a symbolic
 * link pointed elsewhere.
 */
import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `file` (and its folder) with the modification time `seconds` since the epoch. Whole
 * seconds are put back exactly: a file written twice at the same time differs only in its change time.
 */
export function writeAt(file: string, text: string, seconds: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  utimesSync(file, seconds, seconds);
}

/** Writes `file` (and its folder) with a modification time `ageSeconds` in the past (negative: the future). */
export function write(file: string, text: string, ageSeconds = 60): void {
  writeAt(file, text, Date.now() / 1000 - ageSeconds);
}

/** Replaces the symbolic link `path` (and makes its folder) with one to `to`. */
export function relink(path: string, to: string): void {
  rmSync(path, { force: true });
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(to, path);
}
