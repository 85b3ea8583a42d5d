import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ALERT_KINDS, type SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses, list } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';

/** Seconds since the Unix epoch, up to the year 2100. */
const epochS = z.coerce.number().min(0).max(4_102_444_800);

const SPANS_S = { '1h': 3600, '6h': 21_600, '24h': 86_400, '7d': 604_800, '30d': 2_592_000 } as const;

const PointSchema = z
  .object({
    atS: z.number(),
    accelerators: z.number(),
    busy: z.number(),
    utilization: z.number(),
    queued: z.number(),
    running: z.number(),
    powerKw: z.number(),
    costFenPerHour: z.number().int(),
    carbonKgPerHour: z.number(),
    greenShare: z.number(),
  })
  .openapi('HistoryPoint');

const HistorySchema = z
  .object({
    scope: z.string(),
    fromS: z.number(),
    toS: z.number(),
    bucketS: z.number().int(),
    points: list(PointSchema),
  })
  .openapi('History');

const GaugeSchema = z
  .object({
    atS: z.number(),
    network: PointSchema.extend({ powerCapKw: z.number() }),
    sites: list(PointSchema.extend({ siteId: z.string(), powerCapKw: z.number() })),
  })
  .openapi('Gauge');

const AlertSchema = z
  .object({
    seq: z.number().int(),
    atS: z.number(),
    kind: z.enum(ALERT_KINDS),
    subject: z.string(),
    summary: z.string(),
  })
  .openapi('Alert');

export function registerHistoryRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/history',
      tags: ['network'],
      summary:
        'Utilization, queue, power, cost and carbon over time, of the network or one site: means over buckets (at most `points`)',
      request: {
        query: z.object({
          from: epochS.optional().openapi({ description: 'Start (s since the epoch); default: `range` before `to`' }),
          to: epochS.optional().openapi({ description: 'End (s since the epoch); default: now' }),
          range: z
            .enum(['1h', '6h', '24h', '7d', '30d'])
            .optional()
            .openapi({ description: 'Span when `from` is absent; default 1h' }),
          points: z.coerce.number().int().min(1).max(2000).optional(),
          site: z
            .string()
            .max(128)
            .optional()
            .openapi({ description: 'A site id: its history instead of the network’s' }),
        }),
      },
      responses: {
        200: { description: 'History', content: { 'application/json': { schema: HistorySchema } } },
        404: { description: 'No such site', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(
        await service.history.read(
          {
            ...(q.from !== undefined ? { fromS: q.from } : {}),
            ...(q.to !== undefined ? { toS: q.to } : {}),
            ...(q.range !== undefined ? { spanS: SPANS_S[q.range] } : {}),
            ...(q.points !== undefined ? { points: q.points } : {}),
            ...(q.site !== undefined ? { siteId: q.site } : {}),
          },
          who(c),
        ),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/gauge',
      tags: ['network'],
      summary:
        'What the network and each site draw, cost and emit now (power in kW, cost in fen per hour, carbon in kg per hour)',
      responses: {
        200: { description: 'Gauge', content: { 'application/json': { schema: GaugeSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.history.now(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/alerts',
      tags: ['audit'],
      summary:
        'The latest alerts from the audit log, newest first: failed runs (retried or not), preempted jobs, policy denials',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }) },
      responses: {
        200: { description: 'Alerts', content: { 'application/json': { schema: list(AlertSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.alerts(c.req.valid('query').limit ?? 20, who(c)), 200),
  );
}
