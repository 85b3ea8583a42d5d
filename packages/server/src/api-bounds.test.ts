import { fieldBounds } from '@suanli/service';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './dump-openapi.ts';

type Json = Readonly<Record<string, unknown>>;

describe('API inputs', () => {
  it('bound every number, text, list and mapping of every query, path parameter and body', async () => {
    const doc = (await openApiDocument()) as Json;
    const components = ((doc['components'] as Json | undefined)?.['schemas'] ?? {}) as Readonly<Record<string, Json>>;
    const unbounded: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc['paths'] as Readonly<Record<string, Json>>)) {
      for (const [method, op] of Object.entries(ops as Readonly<Record<string, Json>>)) {
        const inputs: [string, Json][] = [];
        for (const p of (op['parameters'] ?? []) as Json[])
          inputs.push([`${p['in']} ${p['name']}`, p['schema'] as Json]);
        const content = ((op['requestBody'] as Json | undefined)?.['content'] ?? {}) as Readonly<Record<string, Json>>;
        for (const [type, c] of Object.entries(content)) inputs.push([`body ${type}`, c['schema'] as Json]);
        for (const [where, schema] of inputs) {
          for (const b of fieldBounds(schema, components)) {
            checked++;
            if (b.unbounded) unbounded.push(`${method.toUpperCase()} ${path} ${where}: ${b.path} (${b.kind})`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(unbounded).toEqual([]);
  });
});
