/**
 * The engine configuration against the vendored engine config schema 2.0: the vendor's own example
 * passes (our reading of the schema is the schema's), every engine config the stack renders passes
 * in both datastore modes and both secret providers, and planted violations fail with their path,
 * rule and the schema's own message. `<unresolved: ...>` markers are never schema errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENGINE_CONFIG_SCHEMA, renderedEngineConfig, validateEngineConfig } from '../../src/check/engine-config.js';
import { loadEnvironment } from '../../src/environments/load.js';
import type { Environment } from '../../src/environments/schema.js';
import { unresolvedMarker } from '../../src/core/unresolved-text.js';
import { synthEnvironment } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { findObject, fixtureEnvironment, objectsOf } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';

type Rec = Record<string, unknown>;

const production = () => loadEnvironment('backstage-wus2-v4').env;
function bundled(env: Environment): Environment {
  if (!env.secrets) throw new Error('production has a secrets section');
  return {
    ...env,
    datastores: { mode: 'bundled' },
    secrets: { ...env.secrets, values: { llm: env.secrets.values.llm } },
  } as Environment;
}

/** The engine config an environment's release renders. */
function engineConfigOf(env: Environment): Rec {
  const release = findObject(objectsOf(synthEnvironment(env)), 'HelmRelease', env.release.name);
  const rendered = renderedEngineConfig(release);
  if (!rendered) throw new Error('the release renders no engine config');
  return rendered.config as Rec;
}

/** A managed engine config with every value resolved, to plant one violation at a time. */
function config(): Rec {
  return structuredClone(engineConfigOf(fixtureEnvironment('staging')));
}

const rulesAndPaths = async (c: unknown) => (await validateEngineConfig(c)).map((p) => `${p.path} ${p.rule}`);

describe('the vendored engine config schema 2.0', () => {
  it('accepts the vendor example it is published with', async () => {
    const example = parse(
      readFileSync(join(REPO_ROOT, 'contracts', 'arcade-engine', 'arcade-engine-config-2.0.example.yaml'), 'utf8'),
    ) as Rec;
    delete example.$schema; // the example's pointer to its schema, not configuration
    expect(Object.keys(example)).toEqual(['api', 'auth', 'llm', 'security', 'storage', 'telemetry', 'tools']);
    expect(await validateEngineConfig(example)).toEqual([]);
  });

  it('accepts every engine config the stack renders (managed and bundled, SealedSecrets and External Secrets)', async () => {
    for (const env of [production(), bundled(production()), fixtureEnvironment('staging')]) {
      const rendered = engineConfigOf(env);
      expect(Object.keys(rendered).sort()).toEqual(
        env.datastores.mode === 'managed' ? ['cache', 'llm', 'security', 'storage'] : ['llm'],
      );
      expect(await validateEngineConfig(rendered), `${env.name} ${env.datastores.mode}`).toEqual([]);
    }
  });
});

describe('planted violations', () => {
  it('an openai entry without api_key: required, at its path, with the schema message and the field description', async () => {
    const c = config();
    delete (((c.llm as Rec).models as Rec[])[0]!.openai as Rec).api_key;
    expect(await validateEngineConfig(c)).toEqual([
      {
        path: 'llm.models[0].openai.api_key',
        rule: 'engine-config.required',
        message: `must have required property 'api_key' (api_key: "The API key for the model.")`,
        fix: 'set llm.models[0].openai.api_key (engine config schema 2.0)',
      },
    ]);
  });

  it('an unknown storage.postgres key: the best-fitting alternative of the oneOf is reported, with a did-you-mean', async () => {
    const c = config();
    ((c.storage as Rec).postgres as Rec).hots = 'db.example.com';
    expect(await validateEngineConfig(c)).toEqual([
      expect.objectContaining({
        path: 'storage.postgres.hots',
        rule: 'engine-config.unknown-field',
        message:
          'must NOT have additional properties: "hots" (did you mean "host"?): the engine config schema 2.0 does not declare it here',
        fix: 'remove it or use one of: host, port, user, password, db, sslmode',
      }),
    ]);
  });

  it('a value of no allowed form names every alternative; a section with two exclusive forms is one finding', async () => {
    const c = config();
    ((c.storage as Rec).postgres as Rec).port = 'five-four-three-two';
    (c.cache as Rec).in_memory = {};
    expect(await validateEngineConfig(c)).toEqual([
      expect.objectContaining({
        path: 'cache',
        rule: 'engine-config.one-of',
        message: expect.stringMatching(/must match exactly one schema in oneOf$/),
      }),
      expect.objectContaining({
        path: 'storage.postgres.port',
        rule: 'engine-config.one-of',
        message: expect.stringContaining(
          '(the alternatives: must be integer; must match pattern "^\\$\\{env:[A-Z0-9_]+\\}$"; must match pattern',
        ),
      }),
    ]);
  });

  it('a section the schema does not define (chart 1.11 owns deployments:) and a wrong type', async () => {
    const c = config();
    c.deployments = { worker: {} };
    ((c.security as Rec).root_keys as Rec[])[0]!.default = 'yes';
    expect(await rulesAndPaths(c)).toEqual([
      'security.root_keys[0].default engine-config.one-of',
      'deployments engine-config.unknown-section',
    ]);
    expect(await rulesAndPaths('cache: {}')).toEqual([' engine-config.type']);
  });
});

describe('unresolved values', () => {
  it('satisfy any value schema (a URI format, a oneOf of integer or env reference), never hiding the structure around them', async () => {
    const c = config();
    const openai = ((c.llm as Rec).models as Rec[])[0]!.openai as Rec;
    openai.base_url = unresolvedMarker('LiteLLM URL not recorded');
    ((c.storage as Rec).postgres as Rec).port = unresolvedMarker('port not recorded');
    expect(await validateEngineConfig(c)).toEqual([]);
    // A missing required field beside an unresolved one is still found.
    delete openai.api_key;
    expect(await rulesAndPaths(c)).toEqual(['llm.models[0].openai.api_key engine-config.required']);
  });
});

describe('the schema file', () => {
  it('is the vendored one, and a schema that cannot be read fails loudly (never a pass)', async () => {
    expect(ENGINE_CONFIG_SCHEMA).toBe(
      join(REPO_ROOT, 'contracts', 'arcade-engine', 'arcade-engine-config-2.0.schema.json'),
    );
    const broken = join(tempDir('engine-schema-'), 'schema.json');
    writeFileSync(broken, '{"$schema": ');
    await expect(validateEngineConfig({ llm: {} }, { schemaFile: broken })).rejects.toThrow(
      /schema\.json: cannot read the engine config schema 2\.0/,
    );
  });
});
