/**
 * The Secrets the stack manages and the keys each must hold (fixed by the code, not by data):
 * plain constants, apart from the zod schema of the `secrets` section (secrets.ts), so
 * `npm run seal` can build its option table (--secret's choices, --key's help) without loading zod.
 */
export const SECRET_KEYS = {
  postgres: ['host', 'port', 'database', 'user', 'password', 'sslmode'],
  redis: ['host', 'port', 'password', 'tls'],
  engine: ['root-key'],
  oidc: ['client-secret'],
  /**
   * The API key of the engine's OpenAI-compatible LLM endpoint: `llm.models[].openai.api_key`,
   * which the engine config schema 2.0 requires. Read in both datastore modes.
   */
  llm: ['api-key'],
} as const satisfies Record<string, readonly string[]>;
export type SecretId = keyof typeof SECRET_KEYS;
export const SECRET_IDS = Object.keys(SECRET_KEYS) as SecretId[];
