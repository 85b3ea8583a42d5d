import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { AuditEntrySchema, AuditVerificationSchema, errorResponses, list } from '../api-schemas.ts';

export function registerAuditRoutes(app: OpenAPIHono, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit',
      tags: ['audit'],
      summary: 'Audit entries in order, from a sequence number',
      request: {
        query: z.object({
          from: z.coerce.number().int().min(1).optional(),
          limit: z.coerce.number().int().min(1).max(10000).optional(),
        }),
      },
      responses: {
        200: { description: 'Entries', content: { 'application/json': { schema: list(AuditEntrySchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await service.listAudit(q.from ?? 1, q.limit ?? 1000), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/verify',
      tags: ['audit'],
      summary: 'Check the whole hash chain of the audit log',
      responses: {
        200: { description: 'Result', content: { 'application/json': { schema: AuditVerificationSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.verifyAudit(), 200),
  );
}
