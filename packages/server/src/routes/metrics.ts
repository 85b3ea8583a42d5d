import type { OpenAPIHono } from '@hono/zod-openapi';
import { authorize, type SuanliService } from '@suanli/service';
import { type AppEnv, bearerToken } from '../auth.ts';
import type { Metrics } from '../metrics.ts';

/**
 * GET /metrics (Prometheus text format), outside /v1 so scrapers find it where they look, but not
 * public: it needs a token that may read metrics (a `metrics` token, an operator's or an auditor's).
 */
export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, service: SuanliService, metrics: Metrics): void {
  app.get('/metrics', async (c) => {
    authorize(await service.authenticate(bearerToken(c.req.header('authorization'))), 'metrics.read');
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
}
