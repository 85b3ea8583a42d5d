import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { errorResponses, HealthSchema } from '../api-schemas.ts';
import type { AppEnv } from '../auth.ts';

export const VERSION = '0.1.0';

export function registerHealthRoute(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['system'],
      summary: 'Liveness, the network served and job counts',
      responses: {
        200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        {
          status: 'ok' as const,
          version: VERSION,
          network: service.network.name,
          sites: service.network.sites.length,
          jobs: await service.countJobsByState(),
        },
        200,
      ),
  );
}
