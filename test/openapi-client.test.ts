import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../packages/server/src/dump-openapi.ts';

const WEB = fileURLToPath(new URL('../apps/web/', import.meta.url));

describe("the dashboard's typed client", () => {
  it('is generated from the OpenAPI document the server serves now (npm run gen:api -w @suanli/web)', async () => {
    const committed = JSON.parse(readFileSync(`${WEB}openapi.json`, 'utf8'));
    expect(committed, 'apps/web/openapi.json is stale: run `npm run build && npm run gen:api -w @suanli/web`').toEqual(
      await openApiDocument(),
    );
    const types = readFileSync(`${WEB}src/api-schema.d.ts`, 'utf8');
    for (const path of Object.keys(committed.paths)) expect(types, path).toContain(`"${path}": {`);
  });
});
