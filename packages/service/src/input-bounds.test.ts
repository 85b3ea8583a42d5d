import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldBounds, INPUT_SCHEMAS, jsonSchemaOf, renderLimitsDoc } from './input-bounds.ts';
import { worstCaseCostFen } from './limits.ts';

describe('input bounds', () => {
  it.each(INPUT_SCHEMAS.map((s) => [s.name, s.schema] as const))(
    'every number, text, list and mapping of the %s has a bound',
    (_name, schema) => {
      const bounds = fieldBounds(jsonSchemaOf(schema));
      expect(bounds.length).toBeGreaterThan(5);
      expect(bounds.filter((b) => b.unbounded).map((b) => `${b.path} (${b.kind})`)).toEqual([]);
    },
  );

  it('finds a field without a bound', () => {
    const schema = z.strictObject({
      n: z.number().min(0),
      s: z.string(),
      l: z.array(z.number().max(1)),
      m: z.record(z.string(), z.boolean()),
    });
    const found = fieldBounds(jsonSchemaOf(schema))
      .filter((b) => b.unbounded)
      .map((b) => b.path);
    expect(found.sort()).toEqual(['l', 'l[]', 'm', 'm{} key', 'n', 's']);
  });

  it('keeps the dearest accepted job below 2^53 fen, so its cost is exact in fen', () => {
    expect(worstCaseCostFen()).toBeGreaterThan(0);
    expect(worstCaseCostFen()).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('are documented in docs/limits.md as the schemas say (npm run gen:limits)', () => {
    const doc = readFileSync(new URL('../../../docs/limits.md', import.meta.url), 'utf8');
    expect(doc, 'docs/limits.md is stale: run `npm run build && npm run gen:limits`').toBe(renderLimitsDoc());
  });
});
