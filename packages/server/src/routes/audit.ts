import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import {
  AuditEntrySchema,
  AuditVerificationSchema,
  ConsistencyProofSchema,
  errorResponses,
  InclusionProofSchema,
  LogKeySchema,
  list,
  SignedTreeHeadSchema,
} from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit',
      tags: ['audit'],
      summary: 'Audit entries in order, from a sequence number',
      request: {
        query: z.object({
          from: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
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
      return c.json(await service.listAudit(q.from ?? 1, q.limit ?? 1000, who(c)), 200);
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
    async (c) => c.json(await service.verifyAudit(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/key',
      tags: ['audit'],
      summary: "The log's Ed25519 public key, to pin",
      responses: {
        200: { description: 'Key', content: { 'application/json': { schema: LogKeySchema } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const log = service.auditTree(who(c));
      return c.json({ logId: log.logId, publicKey: log.publicKey }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/head',
      tags: ['audit'],
      summary: 'The signed tree head of the whole log (RFC 6962 Merkle tree)',
      responses: {
        200: { description: 'Signed tree head', content: { 'application/json': { schema: SignedTreeHeadSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.auditTree(who(c)).head(), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/proof/inclusion',
      tags: ['audit'],
      summary: 'The entry and its audit path in the tree of treeSize entries (default: all)',
      request: {
        query: z.object({
          seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
          treeSize: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
        }),
      },
      responses: {
        200: { description: 'Proof', content: { 'application/json': { schema: InclusionProofSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await service.auditTree(who(c)).inclusionProof(q.seq, q.treeSize), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/proof/consistency',
      tags: ['audit'],
      summary: 'That the tree of `first` entries is a prefix of the tree of `second` (default: all)',
      request: {
        query: z.object({
          first: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          second: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        }),
      },
      responses: {
        200: { description: 'Proof', content: { 'application/json': { schema: ConsistencyProofSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await service.auditTree(who(c)).consistencyProof(q.first, q.second), 200);
    },
  );
}
