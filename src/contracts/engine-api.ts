/**
 * The engine API answers the probes read, as a contract: the response schemas written by hand in
 * `contracts/arcade-engine/engine-api-responses.schema.json` from the engine's published OpenAPI
 * document (which may not be copied; see contracts/SOURCES.md). One file, read two ways:
 *
 * - `tolerant` (the probes, against a live engine): required fields and types as written, objects
 *   open, since a newer engine may add fields the probes do not read;
 * - `strict` (the loopback stand-in, in tests): exactly as written, objects closed, so a stand-in
 *   answer the vendor's contract does not describe fails the suite.
 *
 * Converted with zod's `fromJSONSchema` (zod is loaded on the probe path anyway; no ajv there).
 *
 * The file is imported (a JSON module), not read from disk at run time: the bundled probe runner
 * of the container image (`npm run bundle`, docs/continuous-evidence.md "The image") carries it
 * inside its one file, with no repository beside it.
 */
import { join } from 'node:path';
import { z } from 'zod';
import contractDocument from '../../contracts/arcade-engine/engine-api-responses.schema.json' with { type: 'json' };
import { REPO_ROOT } from '../tooling/root.mjs';

/** The contract file (hand-written; provenance and sha256 in contracts/SOURCES.md); tests read it from here. */
export const ENGINE_API_CONTRACT = join(REPO_ROOT, 'contracts', 'arcade-engine', 'engine-api-responses.schema.json');
/** How reports name it. */
export const ENGINE_API_CONTRACT_NAME = 'contracts/arcade-engine/engine-api-responses.schema.json';

/** The definitions of the contract file. */
export type EngineAnswer = 'HealthResponse' | 'EngineConfigResponse' | 'ToolDefinition' | 'ToolRequirements' | 'Error';

export type ContractMode = 'strict' | 'tolerant';

export type ContractCheck = { readonly ok: true } | { readonly ok: false; readonly problems: readonly string[] };

type Json = Record<string, unknown>;

let document: Json | undefined;
const schemas = new Map<string, z.ZodType>();

function load(): Json {
  if (document) return document;
  const parsed: unknown = contractDocument;
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Json).definitions !== 'object') {
    throw new Error(`${ENGINE_API_CONTRACT_NAME}: not the engine API contract (no definitions)`);
  }
  document = parsed as Json;
  return document;
}

/** A copy of a schema tree with every `additionalProperties: false` removed: objects open. */
function opened(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(opened);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, opened(value)]),
  );
}

function schemaOf(answer: EngineAnswer, mode: ContractMode): z.ZodType {
  const key = `${mode}/${answer}`;
  let schema = schemas.get(key);
  if (!schema) {
    const doc = load();
    if (!(answer in (doc.definitions as Json))) throw new Error(`${ENGINE_API_CONTRACT_NAME}: no definition ${answer}`);
    const base = mode === 'strict' ? doc : (opened(doc) as Json);
    schema = z.fromJSONSchema({ ...base, $ref: `#/definitions/${answer}` } as Parameters<typeof z.fromJSONSchema>[0]);
    schemas.set(key, schema);
  }
  return schema;
}

/** Checks a parsed answer against its definition; problems read `<field path>: <what is wrong>`. */
export function checkEngineAnswer(
  answer: EngineAnswer,
  value: unknown,
  mode: ContractMode = 'tolerant',
): ContractCheck {
  const result = schemaOf(answer, mode).safeParse(value);
  if (result.success) return { ok: true };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
        .join('');
      return `${path || '(the answer)'}: ${issue.message}`;
    }),
  };
}

/** `does not match the engine API contract (<file> <definition>): <problems>` for a report. */
export function contractMismatch(answer: EngineAnswer, problems: readonly string[]): string {
  return `does not match the engine API contract (${ENGINE_API_CONTRACT_NAME}, ${answer}): ${problems.join('; ')}`;
}
