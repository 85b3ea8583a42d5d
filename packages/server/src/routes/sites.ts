import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import {
  ErrorSchema,
  errorResponses,
  LinkCutSchema,
  list,
  NetworkHealthSchema,
  SiteHealthSchema,
  SiteSchema,
} from '../api-schemas.ts';
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
                  cut: z.object({ sinceS: z.number(), reason: z.string() }).optional(),
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

const siteParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name, in: 'path' }, example });

const reason = z.string().min(1).max(500).optional().openapi({ example: 'maintenance window' });

/** Sites and links out of service: read by anyone who reads the network; changed by operators. */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/site-health',
      tags: ['network'],
      summary: 'Every site in service or out (since when, why), and the links cut',
      responses: {
        200: { description: 'Health', content: { 'application/json': { schema: NetworkHealthSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.networkHealth(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/sites/{id}/health',
      tags: ['network'],
      summary:
        'Take a site out of service (its runs fail over by their recovery policies; nothing is placed there) or bring it back',
      request: {
        params: z.object({ id: siteParam('id', 'helinger') }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.strictObject({ state: z.enum(['out', 'in-service']), reason }),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The site now',
          content: { 'application/json': { schema: SiteHealthSchema } },
        },
        404: { description: 'No such site', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const id = c.req.valid('param').id;
      return c.json(
        await service.setSiteHealth(id, body.state === 'out', body.reason ?? 'declared out of service', who(c)),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/links/{from}/{to}/health',
      tags: ['network'],
      summary: 'Record a cut link (no data is staged over it) or its repair',
      request: {
        params: z.object({ from: siteParam('from', 'helinger'), to: siteParam('to', 'shanghai') }),
        body: {
          required: true,
          content: {
            'application/json': { schema: z.strictObject({ state: z.enum(['cut', 'in-service']), reason }) },
          },
        },
      },
      responses: {
        200: { description: 'The links cut now', content: { 'application/json': { schema: list(LinkCutSchema) } } },
        404: { description: 'No such site', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { from, to } = c.req.valid('param');
      const cuts = await service.setLinkHealth(from, to, body.state === 'cut', body.reason ?? 'cut', who(c));
      return c.json([...cuts], 200);
    },
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
