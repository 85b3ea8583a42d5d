import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses, list, RouteSchema, ServiceSchema } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'j-abc' }),
});

/** Online services: their replicas, load and SLO, routing, and the load their users send. */
export function registerServiceRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/services',
      tags: ['services'],
      summary: 'Running online services (a tenant token sees its own)',
      responses: {
        200: { description: 'Services', content: { 'application/json': { schema: list(ServiceSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.services(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/services/{id}',
      tags: ['services'],
      summary: 'One service: replicas, load and expected time to first token per region, cost',
      request: { params: idParam },
      responses: {
        200: { description: 'The service', content: { 'application/json': { schema: ServiceSchema } } },
        404: { description: 'No such service', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.service(c.req.valid('param').id, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/services/{id}/route',
      tags: ['services'],
      summary: 'The replica a request from a region should go to, by latency and load',
      request: {
        params: idParam,
        query: z.object({ from: z.string().min(1).max(64).openapi({ example: 'shanghai' }) }),
      },
      responses: {
        200: { description: 'The route', content: { 'application/json': { schema: RouteSchema } } },
        404: { description: 'No such service', content: { 'application/json': { schema: ErrorSchema } } },
        422: { description: 'No replica runs yet', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.route(c.req.valid('param').id, c.req.valid('query').from, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/services/{id}/load',
      tags: ['services'],
      summary: 'The load users send now, requests a second per demand region (from a gateway or metrics)',
      request: {
        params: idParam,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .record(z.string().min(1).max(64), z.number().min(0).max(10_000_000))
                .refine((m) => Object.keys(m).length <= 50, 'must have ≤ 50 regions')
                .meta({ maxProperties: 50 })
                .openapi({ example: { shanghai: 42 } }),
            },
          },
        },
      },
      responses: {
        200: { description: 'The service', content: { 'application/json': { schema: ServiceSchema } } },
        404: { description: 'No such service', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.observeLoad(c.req.valid('param').id, c.req.valid('json'), who(c)), 200),
  );
}
