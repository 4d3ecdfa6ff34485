/**
 * parseManifest keeps what it parsed by content (src/core/manifests.ts): the same bytes come back
 * as the same objects, each call a copy of its own, and content that does not parse throws, naming
 * the file it was read from, every time.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ManifestError, parseManifest } from '../../src/core/manifests.js';

describe('parseManifest', () => {
  it('returns a copy of its own to every caller of the same content', () => {
    const name = `settings-${randomBytes(6).toString('hex')}`;
    const content = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: one\n---\n`;
    const first = parseManifest(content, 'a.yaml');
    expect(first).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value: 'one' } }]);
    const change = (objects: unknown[]) => {
      (objects[0] as { data: Record<string, string> }).data.value = 'changed by a caller';
    };
    change(first);
    const second = parseManifest(content, 'b.yaml');
    expect(second).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value: 'one' } }]);
    change(second);
    expect(parseManifest(content, 'c.yaml')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value: 'one' } },
    ]);
  });

  it('names the file of every call that reads content which does not parse', () => {
    const broken = `kind: ConfigMap\nmetadata: {name: x\n# ${randomBytes(6).toString('hex')}\n`;
    expect(() => parseManifest(broken, 'first.yaml')).toThrow(ManifestError);
    expect(() => parseManifest(broken, 'first.yaml')).toThrow(/^first\.yaml: YAML syntax: .*\(fix: correct the YAML/);
    expect(() => parseManifest(broken, 'second.yaml')).toThrow(/^second\.yaml: YAML syntax/);
  });
});
