/**
 * Secret scanning of the repository's tracked files and of dist/:
 *
 * - secretlint with its recommended preset (well-known token formats, private keys, database
 *   connection strings, basic auth in URLs, ...), loaded lazily;
 * - what that preset misses, as our own rules:
 *   `secret.kubernetes-secret`   a `Secret` with `data`/`stringData` (base64 is not encryption);
 *   `secret.not-scanned`         a YAML document that could not be read (not scanned is not clean);
 *   `secret.connection-string-password`  any URL whose user-info holds a password (also with an
 *                                empty user name, the Redis form secretlint misses);
 *   `secret.high-entropy`        a random-looking value under a secret-like key;
 *   `secret.env-value`, `secret.known-token`  an env entry's value judged by its name, and the
 *                                well-known token shapes in every string (./value-secrets.ts).
 *
 * Encrypted values are allowed: a SealedSecret's `spec.encryptedData` and the `ciphertext:`
 * entries `npm run seal` writes into environment files. Findings never print the value.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ChildEnd, timedOut } from '../core/child-failure.js';
import { gitTry } from '../core/git.js';
import { looksRandom, PLACEHOLDER, SECRET_KEY } from '../core/credentials.js';
import { childPath, type Finding, type ObjectRef } from './finding.js';
import { parseDocuments, refOf, type ManifestDocument } from './manifests.js';
import { at } from '../core/at.js';
import { textTokens, valueSecrets } from './value-secrets.js';
import { isRecord } from '../core/is-record.js';

export interface ScanFile {
  /** As reported (relative to the repository root). */
  readonly file: string;
  readonly content: string;
  /** Parsed documents, when already parsed (dist/, the vendored CRDs). */
  readonly documents?: readonly ManifestDocument[];
}

const FIX_SECRET =
  'remove the value from the file (and rotate it: git keeps history); keep it in a SealedSecret (npm run seal) or the external secret store';

const CONNECTION = /\b([a-z][a-z0-9+.-]{1,30}):\/\/([^\s:/@'"<>]*):([^\s@/'"]+)@/gi;

function lineOf(content: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < content.length; i++) if (content.charCodeAt(i) === 10) line++;
  return line;
}

function connectionStrings(f: ScanFile): Finding[] {
  const out: Finding[] = [];
  for (const m of f.content.matchAll(CONNECTION)) {
    const password = at(m, 3, 'password group');
    if (PLACEHOLDER.test(password)) continue; // <password>, ${VAR}, ... (an unresolved marker holds a space: never matched)
    out.push({
      severity: 'error',
      area: 'secret',
      file: f.file,
      line: lineOf(f.content, m.index ?? 0),
      rule: 'secret.connection-string-password',
      message: `${m[1]}:// URL with a password in it (value not shown)`,
      fix: `${FIX_SECRET}; reference the password from a Secret instead of writing it into the URL`,
    });
  }
  return out;
}

function isEnvironmentFile(file: string): boolean {
  return /(^|\/)environments\/[^/]+\.ya?ml$/.test(file);
}

function walkValues(
  value: unknown,
  path: string,
  visit: (key: string, v: string, path: string) => void,
  skip: (path: string, key: string) => boolean,
  key = '',
): void {
  if (typeof value === 'string') {
    visit(key, value, path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkValues(v, childPath(path, i), visit, skip, key);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const p = childPath(path, k);
    if (skip(p, k)) continue;
    walkValues(v, p, visit, skip, k);
  }
}

/** The line (at or after `from`) holding `needle`, else `from`. */
function lineOfValue(lines: readonly string[], needle: string, from: number): number {
  for (let i = from - 1; i < lines.length; i++) if (at(lines, i, 'line').includes(needle)) return i + 1;
  return from;
}

function yamlRules(f: ScanFile, documents: readonly ManifestDocument[]): Finding[] {
  const out: Finding[] = [];
  const lines = f.content.split('\n');
  for (const doc of documents) {
    const o = doc.object;
    const ref: ObjectRef | undefined = o ? refOf(o) : undefined;
    const base = {
      severity: 'error' as const,
      area: 'secret' as const,
      file: f.file,
      line: doc.line,
      ...(ref ? { object: ref } : {}),
    };
    // Not read (src/core/yaml-input.ts) is not clean: kubectl applies 101 aliases the library refuses.
    if (doc.fix !== undefined) {
      const message = `document ${doc.index + 1} could not be read, so it was not scanned for secrets: ${doc.problem}`;
      out.push({ ...base, path: '', rule: 'secret.not-scanned', message, fix: doc.fix });
      continue;
    }
    if (o && o.kind === 'Secret' && /^v1$/.test(o.apiVersion)) {
      for (const field of ['data', 'stringData'] as const) {
        const v = o[field];
        if (isRecord(v) && Object.keys(v).length > 0) {
          out.push({
            ...base,
            path: field,
            rule: 'secret.kubernetes-secret',
            message: `Secret with ${field} (keys ${Object.keys(v).join(', ')}): base64 is an encoding, not encryption`,
            fix: 'never commit a Secret: use a SealedSecret (npm run seal) or an ExternalSecret, which make the controller create it',
          });
        }
      }
    }
    const sealed = o?.kind === 'SealedSecret';
    const skip = (path: string, key: string) =>
      (sealed && path === 'spec.encryptedData') || (key === 'ciphertext' && isEnvironmentFile(f.file));
    walkValues(
      doc.value,
      '',
      (key, v, path) => {
        if (SECRET_KEY.test(key) && looksRandom(v, key)) {
          out.push({
            ...base,
            line: lineOfValue(lines, v, doc.line),
            path,
            rule: 'secret.high-entropy',
            message: `random-looking value under the secret-like key "${key}" (${v.length} characters, not shown)`,
            fix: FIX_SECRET,
          });
        }
      },
      skip,
    );
    out.push(...valueSecrets(doc.value, base, (v) => lineOfValue(lines, v, doc.line), skip));
  }
  return out;
}

type Lint = (f: ScanFile) => Promise<Finding[]>;
let secretlintPromise: Promise<Lint> | undefined;

async function secretlint(): Promise<Lint> {
  secretlintPromise ??= (async () => {
    const { lintSource } = await import('@secretlint/core');
    // secretlint 11 marks every file and rule on a process-wide profiler that nothing here reads; it
    // keeps every mark and, on each, searches all it kept: CPU quadratic in the files linted over the
    // process's life (466 files: +0.3-1 s a scan, a second scan in the process +2-3 s). Fixed upstream
    // in secretlint 13 (secretlint/secretlint#1633, #1673), which needs node 22; the marks are off.
    const { secretLintProfiler } = await import('@secretlint/profiler');
    secretLintProfiler.mark = () => {};
    const { creator } = await import('@secretlint/secretlint-rule-preset-recommend');
    return async (f: ScanFile) => {
      const result = await lintSource({
        source: { content: f.content, filePath: f.file, contentType: 'text' },
        options: {
          config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: creator }] },
          maskSecrets: true,
          noPhysicFilePath: true,
        },
      });
      return result.messages.map(
        (m): Finding => ({
          severity: 'error',
          area: 'secret',
          file: f.file,
          line: m.loc.start.line,
          rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, 'secretlint/'),
          anchors: [`secretlint ${m.ruleId}`],
          message: m.message,
          fix: FIX_SECRET,
        }),
      );
    };
  })();
  return secretlintPromise;
}

/**
 * Scans files; one finding per secret (a line flagged by secretlint, or a YAML rule, is not flagged
 * again): the well-known token shapes in every line of every file too (textTokens).
 */
export async function scanFiles(files: readonly ScanFile[]): Promise<Finding[]> {
  const lint = await secretlint();
  const out: Finding[] = [];
  const untaken = (found: readonly Finding[], more: readonly Finding[]) => {
    const taken = new Set(found.map((x) => x.line));
    return more.filter(
      (x) => x.rule === 'secret.kubernetes-secret' || x.rule === 'secret.not-scanned' || !taken.has(x.line),
    );
  };
  for (const f of files) {
    const found = await lint(f);
    found.push(...untaken(found, connectionStrings(f)));
    if (/\.ya?ml$/.test(f.file)) found.push(...untaken(found, yamlRules(f, f.documents ?? parseDocuments(f.content))));
    out.push(...found, ...untaken(found, textTokens(f.file, f.content)));
  }
  return out;
}

/** Largest tracked file the scan reads. */
export const MAX_SCANNED_BYTES = 2 * 1024 * 1024;

export interface TrackedFiles {
  /** Text files git tracks (deleted files and binaries left out). */
  readonly files: readonly ScanFile[];
  /** Tracked files too large to scan (listed in the report's notes: not scanned is not clean). */
  readonly tooLarge: readonly string[];
}

/** Why git could not list the tracked files: the message (describeChildFailure's), and the fix the gate's finding carries. */
export class TrackedFilesError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'TrackedFilesError';
  }
}

const LS_FILES_TIMEOUT_MS = 20_000;
const LS_FILES_MAX_OUTPUT = 64 * 1024 * 1024;
/** What every fix of a failed listing ends with: `npm run check --dist-only` needs no git. */
const DIST_ONLY = 'or pass --dist-only to scan dist/ only';

/**
 * The fix for a `git ls-files` that ended as `end`: one each for a timeout, a missing folder, a
 * missing git, a listing over LS_FILES_MAX_OUTPUT and a git stopped by a signal, one for git's refusal.
 */
export function lsFilesFix(repoRoot: string, end: ChildEnd): string {
  const code = end.error?.code;
  if (timedOut(end)) return `run git ls-files in ${repoRoot} to see why it takes so long (${DIST_ONLY})`;
  // A working folder that does not exist is ENOENT too (describeChildFailure tells it so).
  if (code === 'ENOENT' && !existsSync(repoRoot))
    return `run the gate on a folder that exists: the root of a git checkout of the stack (${DIST_ONLY})`;
  if (code === 'ENOENT') return `install git and put it on the PATH (${DIST_ONLY})`;
  if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
    return (
      `the gate reads a listing of at most ${LS_FILES_MAX_OUTPUT / (1024 * 1024)} MiB: run it in the stack's ` +
      `own checkout, not a larger repository holding it (${DIST_ONLY})`
    );
  if (end.signal ?? end.error?.signal)
    return `run the gate again; if git is stopped again, run git ls-files in ${repoRoot} to see why (${DIST_ONLY})`;
  return `run the gate in a git checkout of the stack (${DIST_ONLY})`;
}

/**
 * The text files git tracks under `repoRoot`, each with its content (at most MAX_SCANNED_BYTES
 * each; larger ones listed apart), for the gate's repository scan. git runs through the core
 * (src/core/git.ts: a timeout, SIGKILL past it, no prompt, C locale so git's reason reads the same
 * everywhere). Throws TrackedFilesError when git cannot list them (not a checkout, no git, a
 * timeout, a signal), quoting git's reason, with the fix for that kind of failure.
 */
export async function trackedTextFiles(repoRoot: string): Promise<TrackedFiles> {
  const run = await gitTry(repoRoot, ['ls-files', '-z'], {
    timeoutMs: LS_FILES_TIMEOUT_MS,
    maxBuffer: LS_FILES_MAX_OUTPUT,
    // The gate's finding carries the fix (lsFilesFix), said once.
    timeoutFix: null,
    missingFix: null,
  });
  if (!run.ok) throw new TrackedFilesError(run.failure, lsFilesFix(repoRoot, run.end));
  const files: ScanFile[] = [];
  const tooLarge: string[] = [];
  for (const file of run.stdout.split('\0').filter(Boolean)) {
    const abs = join(repoRoot, file);
    if (!existsSync(abs) || !statSync(abs).isFile()) continue;
    if (statSync(abs).size > MAX_SCANNED_BYTES) {
      tooLarge.push(file);
      continue;
    }
    const buf = readFileSync(abs);
    if (buf.includes(0)) continue; // binary
    files.push({ file, content: buf.toString('utf8') });
  }
  return { files, tooLarge };
}
