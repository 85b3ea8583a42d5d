import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { errorAnswer, errorResponses, jsonAnswer, list } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';
import {
  GridEventBodySchema,
  GridEventSchema,
  PowerViewSchema,
  PowerWindowBodySchema,
  PowerWindowSchema,
} from '../power-schemas.ts';

const json = jsonAnswer;
const error = errorAnswer;

/** Power budgets (region → site → hall), grid events and contracted windows. */
export function registerPowerRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  const g = service.grid;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/power',
      tags: ['power'],
      summary:
        'The power-budget tree: each level now (budget, fixed draw, load) and hour by hour ahead; open grid events',
      request: {
        query: z.object({
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(168)
            .optional()
            .openapi({ param: { name: 'hours', in: 'query' }, description: 'Hours ahead (default 24)' }),
        }),
      },
      responses: { 200: json(PowerViewSchema, 'Budgets and events'), ...errorResponses },
    }),
    async (c) => c.json(await g.view(who(c), c.req.valid('query').hours ?? 24), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/grid-events',
      tags: ['power'],
      summary: 'Grid events (demand response), newest first, with their plans and deliveries',
      responses: { 200: json(list(GridEventSchema), 'Grid events'), ...errorResponses },
    }),
    async (c) => c.json(await g.list(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/grid-events',
      tags: ['power'],
      summary:
        'A grid event: a region or site draws less (or at most a ceiling) over a window; answered at once with the plan (operators, grid)',
      request: { body: { required: true, content: { 'application/json': { schema: GridEventBodySchema } } } },
      responses: {
        201: json(GridEventSchema, 'The event and its plan'),
        403: error('Neither an operator nor the grid'),
        409: error('An event with this id exists'),
        422: error('Unknown region or site'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await g.issue(
          {
            ...(b.id !== undefined ? { id: b.id } : {}),
            ...(b.region !== undefined ? { region: b.region } : {}),
            ...(b.site !== undefined ? { site: b.site } : {}),
            ...(b.reductionKw !== undefined ? { reductionKw: b.reductionKw } : {}),
            ...(b.ceilingKw !== undefined ? { ceilingKw: b.ceilingKw } : {}),
            ...(b.startS !== undefined ? { startS: b.startS } : {}),
            durationS: b.durationS,
            ...(b.complyWithinS !== undefined ? { complyWithinS: b.complyWithinS } : {}),
          },
          who(c),
        ),
        201,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/grid-events/{id}',
      tags: ['power'],
      summary:
        'One grid event: what was asked, the plan, what was carried out, what was delivered against the baseline',
      request: {
        params: z.object({
          id: z
            .string()
            .min(1)
            .max(128)
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
      },
      responses: { 200: json(GridEventSchema, 'The event'), 404: error('No such event'), ...errorResponses },
    }),
    async (c) => c.json(await g.get(c.req.valid('param').id, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/power/windows',
      tags: ['power'],
      summary: "A contracted window on a level's budget: its kW over [from, to) (operators)",
      request: { body: { required: true, content: { 'application/json': { schema: PowerWindowBodySchema } } } },
      responses: {
        201: json(PowerWindowSchema, 'The window'),
        403: error('Not an operator'),
        409: error('Overlaps a window the level has'),
        422: error('Unknown level'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await g.addWindow(c.req.valid('json'), who(c)), 201),
  );
}
