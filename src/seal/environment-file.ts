/**
 * The text of an environment file with one sealed value put in, every other byte as it was.
 *
 * The `yaml` Document API locates the entry `secrets.values.<secret>.<key>` and its source range;
 * only that value's text is replaced (an `{ unresolved: … }` marker or an older sealed value), so
 * comments, quoting, ordering and blank lines elsewhere stay byte for byte. The result is
 * re-validated as a whole with `parseEnvironment`; seal.ts then writes it atomically
 * (../core/atomic-write.ts: a temporary file in the same folder, then rename), after
 * `refuseHardLinks` below.
 */
import { realpathSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseDocument, stringify, type Pair, type YAMLMap } from 'yaml';
import { parseEnvironment } from '../environments/load.js';
import { shellWord } from '../core/shell-word.js';
import { valueAt } from '../core/values-path.js';
import type { SealedValue, SecretId } from '../environments/schema.js';
import { EnvironmentFileError } from './errors.js';

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function keyOffset(pair: Pair): number | undefined {
  return isScalar(pair.key) ? pair.key.range?.[0] : undefined;
}

/**
 * Returns `text` with `secrets.values.<secret>.<key>` set to `value`. Pure: no disk access.
 * Throws EnvironmentFileError when the entry is missing or the result is not a valid environment.
 */
export function replaceSealedValue(
  text: string,
  file: string,
  secret: SecretId,
  key: string,
  value: SealedValue,
): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  const path = `secrets.values.${secret}.${key}`;
  const values = doc.getIn(['secrets', 'values'], true);
  const secretPair = isMap(values) ? pairOf(values, secret) : undefined;
  const secretMap = secretPair?.value;
  const pair = isMap(secretMap) ? pairOf(secretMap, key) : undefined;
  const node = pair?.value;
  const range =
    node && typeof node === 'object' && 'range' in node
      ? (node.range as [number, number, number] | undefined)
      : undefined;
  const at = pair ? keyOffset(pair) : undefined;
  if (!secretPair || !isMap(secretMap) || !pair || !range || at === undefined) {
    throw new EnvironmentFileError(
      `${file}: ${path}: no such entry to replace (fix: declare it, e.g. ${key}: { unresolved: "not sealed yet" }, then seal again)`,
    );
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let replacement: string;
  if (secretMap.flow) {
    replacement = ` ${stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`;
  } else {
    const parentAt = keyOffset(secretPair);
    const step = parentAt === undefined ? 2 : columnOf(text, at) - columnOf(text, parentAt);
    const indent = ' '.repeat(columnOf(text, at) + (step > 0 ? step : 2));
    const lines = stringify(value, { collectionStyle: 'block', lineWidth: 0 }).trimEnd().split('\n');
    replacement = lines.map((line) => `${eol}${indent}${line}`).join('');
  }
  // A block collection's range ends after its last line break: keep the break.
  let end = range[1];
  while (end > range[0] && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  const result = text.slice(0, range[0]).replace(/\s+$/, '') + replacement + text.slice(end);

  const check = parseDocument(result, { uniqueKeys: true });
  const written = check.errors.length > 0 ? undefined : valueAt(check.toJS(), ['secrets', 'values', secret, key]);
  if (!isDeepStrictEqual(written, value)) {
    throw new EnvironmentFileError(
      `${file}: ${path}: the edited file would not hold the sealed value as written (fix: report this; the file was not changed)`,
    );
  }
  parseEnvironment(result, file); // throws EnvironmentError naming the field
  return result;
}

/**
 * Refuses an environment file with more than one hard link (a second name for the same bytes, from
 * `ln`, `cp -l`, a hard-linking backup). Seal replaces a file by renaming a new one over its name,
 * so every other name would keep the values as they were, unsealed or sealed with an older key,
 * after seal said it sealed them. Writing through the file instead (all names change) would lose
 * what the rename gives: a reader (git, an editor, Flux's source) never sees half a file, and a
 * failed write leaves the old one whole; and a second name that is a backup snapshot would be
 * changed with it. A person decides which name is the environment's, so seal refuses, before it
 * fetches anything and again just before it writes (docs/secrets.md "An environment file with a
 * second name"). `file` may be a symbolic link: the file it leads to is the one counted.
 */
export function refuseHardLinks(file: string): void {
  const links = statSync(file).nlink;
  if (links <= 1) return;
  // Quoted for a POSIX shell where needed, so the commands can be pasted whatever the path holds; the
  // mount point is left to the person (`df` options to print it alone differ between GNU and BSD/macOS).
  const real = shellWord(realpathSync.native(file));
  throw new EnvironmentFileError(
    `${file}: the file has ${links} hard links (names for the same bytes): seal renames a new file over ` +
      `this name, so the ${links - 1} other name(s) would keep the values unsealed; nothing written (fix: find ` +
      `them with find <mount-point> -xdev -samefile ${real}, remove each or make ` +
      `it a symbolic link to ${real} (ln -sf ${real} <name>), then seal again)`,
  );
}
