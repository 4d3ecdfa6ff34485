/**
 * The ownership record export writes into the target folder: which files this stack wrote,
 * with their sha256, and from which source commit. Export removes only files listed here and
 * refuses to overwrite a listed file whose content no longer matches its hash (edited by hand).
 */
import { z } from 'zod';
import { ConfigurationError } from '../core/command-error.js';
import { at } from '../core/at.js';

/** File name of the record, inside the target folder (not a manifest: kustomize ignores it). */
export const OWNERSHIP_FILE = '.arcade-stack-export.json';

export const OwnershipRecordSchema = z
  .object({
    generatedBy: z.literal('arcade-stack'),
    environment: z.string().min(1),
    sourceCommit: z.string().regex(/^[a-f0-9]{40}$/),
    sourceDirty: z.boolean(),
    /** Path relative to the target folder → sha256 of the bytes written. */
    files: z.record(z.string().min(1), z.string().regex(/^[a-f0-9]{64}$/)),
    /**
     * Hand-written files kept in the folder and listed in its kustomization.yaml (`--keep`), e.g.
     * the Namespace the stack must never own. Later exports keep them without being told again.
     */
    kept: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type OwnershipRecord = z.infer<typeof OwnershipRecordSchema>;

/**
 * The record in the checkout cannot be read: a damaged input file, so nothing is done (exit 2, one
 * line naming the file and the fix, no stack trace).
 */
export class OwnershipRecordInvalid extends ConfigurationError {}

/** Parses the record; a damaged one throws OwnershipRecordInvalid naming the file and the fix. */
export function parseOwnership(text: string, file: string): OwnershipRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new OwnershipRecordInvalid(
      `${file}: not valid JSON (${(err as Error).message}) (fix: restore it from git history; export needs it to know which files it owns)`,
    );
  }
  const parsed = OwnershipRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = at(parsed.error.issues, 0, 'validation issue');
    throw new OwnershipRecordInvalid(
      `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message} (fix: restore it from git history)`,
    );
  }
  return parsed.data;
}

export function formatOwnership(record: OwnershipRecord): string {
  const files = Object.fromEntries(Object.entries(record.files).sort(([a], [b]) => a.localeCompare(b)));
  const { kept, ...rest } = record;
  return `${JSON.stringify({ ...rest, files, ...(kept && kept.length > 0 ? { kept: [...kept].sort() } : {}) }, null, 2)}\n`;
}
