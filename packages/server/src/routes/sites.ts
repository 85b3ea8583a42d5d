import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses, list, SiteSchema } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';

export function registerSiteRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sites',
      tags: ['network'],
      summary: 'Sites with their pools, power, carbon and current use',
      responses: {
        200: { description: 'Sites', content: { 'application/json': { schema: list(SiteSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.sites(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sites/{id}',
      tags: ['network'],
      summary: 'One site',
      request: {
        params: z.object({
          id: z
            .string()
            .max(128)
            .openapi({ param: { name: 'id', in: 'path' }, example: 'helinger' }),
        }),
      },
      responses: {
        200: { description: 'The site', content: { 'application/json': { schema: SiteSchema } } },
        404: { description: 'No such site', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.site(c.req.valid('param').id, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/links',
      tags: ['network'],
      summary: "Links between sites to draw: explicit ones, and modelled ones to each site's two nearest",
      responses: {
        200: {
          description: 'Links',
          content: {
            'application/json': {
              schema: z.array(
                z.object({
                  a: z.string(),
                  b: z.string(),
                  latencyMs: z.number(),
                  bandwidthGbps: z.number(),
                  modelled: z.boolean(),
                }),
              ),
            },
          },
        },
        ...errorResponses,
      },
    }),
    (c) => c.json(service.links(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tenants',
      tags: ['network'],
      summary: 'Tenants: sector, fair-share weight and cluster queue (a tenant token sees its own)',
      responses: {
        200: {
          description: 'Tenants',
          content: {
            'application/json': {
              schema: list(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  sector: z.string(),
                  shareWeight: z.number(),
                  clusterQueue: z.string().optional(),
                }),
              ),
            },
          },
        },
        ...errorResponses,
      },
    }),
    (c) => c.json(service.tenants(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/quotas',
      tags: ['network'],
      summary: 'Cluster queues: nominal quota, use, borrowing and what each may take now, per accelerator type',
      responses: {
        200: {
          description: 'Quotas',
          content: {
            'application/json': {
              schema: z.array(
                z.object({
                  name: z.string(),
                  cohort: z.string().optional(),
                  tenants: z.array(z.string()),
                  flavours: z.array(
                    z.object({
                      flavour: z.string(),
                      nominal: z.number(),
                      used: z.number(),
                      available: z.number(),
                      borrowed: z.number(),
                      borrowingLimit: z.number().optional(),
                    }),
                  ),
                }),
              ),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => c.json((await service.quotas(who(c))) as QuotaJson[], 200),
  );
}

type QuotaJson = {
  name: string;
  cohort?: string;
  tenants: string[];
  flavours: {
    flavour: string;
    nominal: number;
    used: number;
    available: number;
    borrowed: number;
    borrowingLimit?: number;
  }[];
};
