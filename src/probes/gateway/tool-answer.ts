/**
 * A tool call's answer reduced to what the evaluators need: whether it is an error result, and
 * its text (`structuredContent.result` or the text content).
 */
import { isRecord } from '../../core/is-record.js';

export interface ToolAnswer {
  readonly isError: boolean;
  readonly text: string;
}

/** Parses the answer text as JSON when it is JSON (a quoted string, number, object), else the raw text. */
export function answerValue(text: string): unknown {
  const trimmed = text.trim();
  if (/^["{[\d-]/.test(trimmed) || trimmed === 'true' || trimmed === 'false') {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

const IDENTITY_FIELDS = ['user_id', 'userId', 'user', 'id'] as const;

/** The user id a Whoami answer names: the text itself, a JSON string, or a `user_id`-like field. */
export function identityOf(text: string): string | undefined {
  const value = answerValue(text);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (isRecord(value)) {
    for (const field of IDENTITY_FIELDS) {
      const v = value[field];
      if (typeof v === 'string') return v;
    }
  }
  return undefined;
}

/** The number an Add answer names: the text itself, or a `result`/`sum` field. */
export function numberOf(text: string): number | undefined {
  const value = answerValue(text);
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (isRecord(value)) {
    for (const field of ['result', 'sum', 'value']) {
      const v = value[field];
      if (typeof v === 'number') return v;
    }
  }
  return undefined;
}
