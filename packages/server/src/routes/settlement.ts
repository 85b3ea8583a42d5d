import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { billsCsv, billsHtml, type SuanliService, statementsHtml } from '@suanli/service';
import { errorAnswer, errorResponses, jsonAnswer, list } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';
import {
  BillSchema,
  IssueVoucherSchema,
  LinkPriceSchema,
  PoolPriceSchema,
  PriceBookSchema,
  PriceChangeSchema,
  ProgrammeSchema,
  periodQuery,
  RedeemVoucherSchema,
  SectorReportSchema,
  SettlementCheckSchema,
  StatementSchema,
  VoucherSchema,
} from '../settlement-schemas.ts';

const json = jsonAnswer;

/** A query's parameters that were given: the use cases take absent ones as "all". */
function given<T extends Record<string, string | undefined>>(q: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}
const error = errorAnswer;
const tenantQuery = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .openapi({ param: { name: 'tenant', in: 'query' }, example: 'acme-ai' });

/** Prices, bills, statements, the settlement check, programmes and vouchers. */
export function registerSettlementRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  const s = service.settlement;
  const v = service.vouchers;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/prices',
      tags: ['settlement'],
      summary: 'Price books: every version of every pool and link price',
      responses: { 200: json(PriceBookSchema, 'The price book'), ...errorResponses },
    }),
    async (c) => c.json(await s.prices(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/prices',
      tags: ['settlement'],
      summary: 'A new price version for a pool or a link, from now or a later time (operators)',
      request: { body: { required: true, content: { 'application/json': { schema: PriceChangeSchema } } } },
      responses: {
        201: json(z.union([PoolPriceSchema, LinkPriceSchema]), 'The version set'),
        403: error('Not an operator'),
        409: error('It would overlap a version already set, or start in the past'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await s.setPrice(c.req.valid('json'), who(c)), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/bills',
      tags: ['settlement'],
      summary: 'Bills per tenant and period, a line per metered job attempt (a tenant token sees its own)',
      request: { query: z.object({ tenant: tenantQuery, period: periodQuery }) },
      responses: { 200: json(list(BillSchema), 'Bills'), 403: error('Another tenant'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await s.bills(given({ tenant: q.tenant, period: q.period || undefined }), who(c)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/bills/export',
      tags: ['settlement'],
      summary: 'Bills as CSV (a row per line item, fen) or as a printable HTML statement (prints to PDF)',
      request: {
        query: z.object({
          format: z.enum(['csv', 'html']).openapi({ param: { name: 'format', in: 'query' }, example: 'csv' }),
          tenant: tenantQuery,
          period: periodQuery,
        }),
      },
      responses: {
        200: {
          description: 'The bills',
          content: { 'text/csv': { schema: z.string() }, 'text/html': { schema: z.string() } },
        },
        403: error('Another tenant'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const bills = await s.bills(given({ tenant: q.tenant, period: q.period || undefined }), who(c));
      if (q.format === 'csv') {
        return c.body(billsCsv(bills), 200, { 'content-type': 'text/csv; charset=utf-8' });
      }
      return c.body(billsHtml(bills, service.network.name), 200, { 'content-type': 'text/html; charset=utf-8' });
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statements/export',
      tags: ['settlement'],
      summary: 'Site statements as a printable HTML page (operators, auditors)',
      request: {
        query: z.object({
          site: z
            .string()
            .min(1)
            .max(64)
            .optional()
            .openapi({ param: { name: 'site', in: 'query' } }),
          period: periodQuery,
        }),
      },
      responses: {
        200: { description: 'The statements', content: { 'text/html': { schema: z.string() } } },
        403: error('Not an operator or auditor'),
        404: error('No such site'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const st = await s.statements(given({ siteId: q.site, period: q.period || undefined }), who(c));
      return c.body(statementsHtml(st, service.network.name), 200, { 'content-type': 'text/html; charset=utf-8' });
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/bills/verify',
      tags: ['settlement'],
      summary: "Proves a period's settlement: chain, meter records rebuilt from the log, totals to the fen",
      request: { query: z.object({ period: z.string().max(7).openapi({ example: '2026-11' }) }) },
      responses: {
        200: json(SettlementCheckSchema, 'The check'),
        403: error('Not an operator or auditor'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await s.verify(c.req.valid('query').period, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statements',
      tags: ['settlement'],
      summary: 'Statements per site and period: revenue and energy per pool (operators, auditors)',
      request: {
        query: z.object({
          site: z
            .string()
            .min(1)
            .max(64)
            .optional()
            .openapi({ param: { name: 'site', in: 'query' }, example: 'zhongwei' }),
          period: periodQuery,
        }),
      },
      responses: {
        200: json(list(StatementSchema), 'Statements'),
        403: error('Not an operator or auditor'),
        404: error('No such site'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await s.statements(given({ siteId: q.site, period: q.period || undefined }), who(c)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sectors',
      tags: ['settlement'],
      summary: 'Per sector for a month: demand, accelerator-hours used, spend, vouchers redeemed (operators, auditors)',
      request: { query: z.object({ period: z.string().max(7).openapi({ example: '2026-11' }) }) },
      responses: {
        200: json(list(SectorReportSchema), 'Sectors'),
        403: error('Not an operator or auditor'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await s.sectors(c.req.valid('query').period, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/programmes',
      tags: ['settlement'],
      summary: 'Sector programmes (AI+): sectors, kinds, share boost, voucher budget issued and left',
      responses: { 200: json(list(ProgrammeSchema), 'Programmes'), ...errorResponses },
    }),
    async (c) => c.json(await v.programmes(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/vouchers',
      tags: ['settlement'],
      summary: 'Vouchers and their balances (a tenant token sees its own)',
      request: { query: z.object({ tenant: tenantQuery }) },
      responses: { 200: json(list(VoucherSchema), 'Vouchers'), 403: error('Another tenant'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await v.vouchers(given({ tenant: q.tenant }), who(c)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/vouchers',
      tags: ['settlement'],
      summary: "Issues a voucher from a programme's budget to a tenant (operators)",
      request: { body: { required: true, content: { 'application/json': { schema: IssueVoucherSchema } } } },
      responses: {
        201: json(VoucherSchema, 'The voucher'),
        403: error('Not an operator'),
        404: error('No such programme'),
        422: error('A voucher rule refused it (the message names the rule)'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await v.issue(c.req.valid('json'), who(c)), 201),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/vouchers/{id}/redeem',
      tags: ['settlement'],
      summary: "Redeems a voucher against settled lines of its tenant's bill for a period, all or nothing",
      request: {
        params: z.object({
          id: z
            .string()
            .min(1)
            .max(128)
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
        body: { required: true, content: { 'application/json': { schema: RedeemVoucherSchema } } },
      },
      responses: {
        200: json(VoucherSchema, 'The voucher after redemption'),
        403: error('Not allowed to redeem'),
        404: error('No such voucher'),
        422: error('A voucher rule refused it (the message names the rule)'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await v.redeem(
          c.req.valid('param').id,
          {
            period: b.period,
            ...(b.lines ? { lines: b.lines } : {}),
            ...(b.amountFen !== undefined ? { amountFen: b.amountFen } : {}),
          },
          who(c),
        ),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/vouchers/{id}/write-off',
      tags: ['settlement'],
      summary: 'Writes off what is left of a voucher (operators): audited, never redeemable again',
      request: {
        params: z.object({
          id: z
            .string()
            .min(1)
            .max(128)
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .strictObject({ reason: z.string().min(1).max(256) })
                .openapi({ example: { reason: 'expired' } }),
            },
          },
        },
      },
      responses: {
        200: json(VoucherSchema, 'The voucher after the write-off'),
        403: error('Not an operator'),
        404: error('No such voucher'),
        409: error('Nothing left to write off'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await v.writeOff(c.req.valid('param').id, c.req.valid('json').reason, who(c)), 200),
  );
}
