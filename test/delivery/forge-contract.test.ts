/**
 * The request fields the client and the forge stand-in accept for Gitea (src/delivery/forge-api.ts)
 * are exactly those Gitea's swagger documents (contracts/forges/, vendored with provenance), so
 * neither the client nor the stand-in can drift from the forge's published API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUEST_FIELDS } from '../../src/delivery/forge-api.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const swagger = JSON.parse(
  readFileSync(join(REPO_ROOT, 'contracts', 'forges', 'gitea-swagger-pull-request-definitions.json'), 'utf8'),
) as { definitions: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
const fields = (definition: string) => Object.keys(swagger.definitions[definition]?.properties ?? {}).sort();

describe("Gitea's request fields, against its swagger", () => {
  it.each([
    ['createPull', 'CreatePullRequestOption'],
    ['updatePull', 'EditPullRequestOption'],
    ['createComment', 'CreateIssueCommentOption'],
    ['updateComment', 'EditIssueCommentOption'],
  ] as const)('%s sends only the fields of %s', (operation, definition) => {
    expect([...REQUEST_FIELDS.gitea[operation]].sort()).toEqual(fields(definition));
  });

  it('a comment body is required on create and edit', () => {
    expect(swagger.definitions.CreateIssueCommentOption?.required).toEqual(['body']);
    expect(swagger.definitions.EditIssueCommentOption?.required).toEqual(['body']);
  });
});
