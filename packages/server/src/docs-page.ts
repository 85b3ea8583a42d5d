import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './auth.ts';

/** Serves Swagger UI from the local `swagger-ui-dist` package (no CDN) at /docs. */
export function registerDocsPage(app: OpenAPIHono<AppEnv>): void {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets: Record<string, { file: string; type: string }> = {
    'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
    'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  };
  const cache = new Map<string, string>();
  app.get('/docs/assets/:name', (c) => {
    const asset = assets[c.req.param('name')];
    if (!asset) return c.notFound();
    let body = cache.get(asset.file);
    if (body === undefined) {
      body = readFileSync(join(dir, asset.file), 'utf8');
      cache.set(asset.file, body);
    }
    return c.body(body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
  });
  app.get('/docs', (c) =>
    c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><title>Suanli API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script>
</body>
</html>`),
  );
}
