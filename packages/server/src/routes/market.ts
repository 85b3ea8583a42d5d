import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { errorAnswer, errorResponses, jsonAnswer, list } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';
import {
  BuyContractSchema,
  ContractSchema,
  OfferSchema,
  PublishOfferSchema,
  ResolvedSchema,
} from '../settlement-schemas.ts';

const json = jsonAnswer;
const error = errorAnswer;
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** The market: offers, contracts, and the one identifier scheme. */
export function registerMarketRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  const m = service.market;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/offers',
      tags: ['market'],
      summary: 'Offers of accelerators: spot and reserved, with their windows, prices, SLAs and what is sold',
      responses: { 200: json(list(OfferSchema), 'Offers'), ...errorResponses },
    }),
    async (c) => c.json(await m.offers(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/offers',
      tags: ['market'],
      summary: "Publishes an offer of a pool's accelerators for a window at a price (operators)",
      request: { body: { required: true, content: { 'application/json': { schema: PublishOfferSchema } } } },
      responses: { 201: json(OfferSchema, 'The offer'), 403: error('Not an operator'), ...errorResponses },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await m.publish(
          {
            kind: b.kind,
            poolId: b.poolId,
            count: b.count,
            toS: b.toS,
            fenPerAcceleratorHour: b.fenPerAcceleratorHour,
            ...(b.fromS !== undefined ? { fromS: b.fromS } : {}),
            ...(b.sla ? { sla: b.sla } : {}),
          },
          who(c),
        ),
        201,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/offers/{id}/withdraw',
      tags: ['market'],
      summary: 'Withdraws an offer (operators); contracts made from it stand',
      request: { params: idParam },
      responses: {
        200: json(OfferSchema, 'The offer'),
        403: error('Not an operator'),
        404: error('No such offer'),
        409: error('Withdrawn already'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await m.withdraw(c.req.valid('param').id, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/contracts',
      tags: ['market'],
      summary: 'Contracts bought from reserved offers (a tenant token sees its own)',
      request: {
        query: z.object({
          tenant: z
            .string()
            .min(1)
            .max(128)
            .optional()
            .openapi({ param: { name: 'tenant', in: 'query' } }),
        }),
      },
      responses: { 200: json(list(ContractSchema), 'Contracts'), 403: error('Another tenant'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await m.contracts(q.tenant !== undefined ? { tenant: q.tenant } : {}, who(c)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/contracts',
      tags: ['market'],
      summary: 'Buys accelerators of a reserved offer (a tenant admin for its tenant, or an operator naming one)',
      request: { body: { required: true, content: { 'application/json': { schema: BuyContractSchema } } } },
      responses: {
        201: json(ContractSchema, 'The contract'),
        403: error('Not allowed to buy for that tenant'),
        404: error('No such offer'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await m.buy(
          { offerId: b.offerId, count: b.count, ...(b.tenant !== undefined ? { tenant: b.tenant } : {}) },
          who(c),
        ),
        201,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ids/{uid}',
      tags: ['market'],
      summary: 'Resolves a unified identifier (sl:NETWORK:KIND:ID) to what it names',
      request: {
        params: z.object({
          uid: z
            .string()
            .min(1)
            .max(300)
            .openapi({ param: { name: 'uid', in: 'path' }, example: 'sl:cn-national:pool:zhongwei-h20' }),
        }),
      },
      responses: { 200: json(ResolvedSchema, 'What it names'), 404: error('Nothing is named so'), ...errorResponses },
    }),
    async (c) => {
      const r = await m.resolveUid(c.req.valid('param').uid, who(c));
      return c.json({ ...r, object: r.object as Record<string, unknown> }, 200);
    },
  );
}
