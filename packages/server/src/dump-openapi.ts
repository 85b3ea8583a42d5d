import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimBackend } from '@suanli/backends';
import { builtinNetwork, SuanliService } from '@suanli/service';
import { openSqliteStore } from '@suanli/store';
import { createApp } from './app.ts';

/**
 * The OpenAPI document of the API, as the server serves it at /openapi.json, from an app on an
 * in-memory store. The dashboard's typed client is generated from it (`npm run gen:api -w @suanli/web`).
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const store = await openSqliteStore(':memory:');
  try {
    const clock = { nowS: () => 0 };
    const service = new SuanliService({
      store,
      network: builtinNetwork(),
      clock,
      backends: new Map([['sim', new SimBackend({ clock })]]),
    });
    const res = await createApp(service, { webDir: '/nonexistent' }).request('/openapi.json');
    return (await res.json()) as Record<string, unknown>;
  } finally {
    await store.close();
  }
}

const target = process.argv[2];
if (target && process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(target, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
}
