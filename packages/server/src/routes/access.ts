import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { GRANT_KINDS, LIMITS, ROLES, type SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';

const TokenSchema = z
  .object({
    id: z.string().openapi({ description: 'The first 16 hex digits of the SHA-256 of the token' }),
    name: z.string(),
    role: z.enum(ROLES),
    tenant: z.string().optional(),
    operator: z.string().optional(),
    createdAtS: z.number(),
    expiresAtS: z.number().optional(),
    revokedAtS: z.number().optional(),
  })
  .openapi('Token');

const GrantSchema = z
  .object({
    id: z.string(),
    kind: z.enum(GRANT_KINDS),
    resource: z.string(),
    owner: z.string(),
    grantee: z.string(),
    createdAtS: z.number(),
    createdBy: z.string(),
    revokedAtS: z.number().optional(),
  })
  .openapi('Grant');

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  description: 'JSON (application/json); other media types are refused with 415.',
  content: { 'application/json': { schema } },
});

/** The request and answers of `POST …/{id}/revoke` for a token or a grant. */
function revoke<T extends z.ZodType>(what: string, schema: T) {
  return {
    request: {
      params: z.object({
        id: z
          .string()
          .max(64)
          .openapi({ param: { name: 'id', in: 'path' } }),
      }),
    },
    responses: {
      200: { description: `The revoked ${what}`, content: { 'application/json': { schema } } },
      404: { description: `No such ${what}`, content: { 'application/json': { schema: ErrorSchema } } },
      409: { description: 'Already revoked', content: { 'application/json': { schema: ErrorSchema } } },
      ...errorResponses,
    },
  };
}

/** Tokens (issue, list, revoke) and grants of models and data sets between tenants. */
export function registerAccessRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tokens',
      tags: ['access'],
      summary: 'Issue an API token (returned once; only its hash is stored)',
      request: {
        body: jsonBody(
          z.strictObject({
            name: z.string().max(64),
            role: z.enum(ROLES),
            tenant: z.string().max(LIMITS.nameChars).optional(),
            operator: z
              .string()
              .max(64)
              .optional()
              .openapi({ description: 'For a site-operator token: the operator (of the network file) it speaks for' }),
            expiresInS: z
              .number()
              .int()
              .min(60)
              .max(10 * 366 * 86_400)
              .optional()
              .openapi({ description: 'Seconds until the token stops working; never when absent' }),
          }),
        ),
      },
      responses: {
        201: {
          description: 'The token',
          content: {
            'application/json': { schema: TokenSchema.omit({ createdAtS: true }).extend({ token: z.string() }) },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const req = {
        name: b.name,
        role: b.role,
        ...(b.tenant !== undefined ? { tenant: b.tenant } : {}),
        ...(b.operator !== undefined ? { operator: b.operator } : {}),
        ...(b.expiresInS !== undefined ? { expiresInS: b.expiresInS } : {}),
      };
      return c.json(await service.createToken(req, who(c)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tokens',
      tags: ['access'],
      summary: "Tokens: all for operators and auditors, their tenant's for tenant admins (never the tokens themselves)",
      responses: {
        200: { description: 'Tokens', content: { 'application/json': { schema: z.array(TokenSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.access.listTokens(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tokens/{id}/revoke',
      tags: ['access'],
      summary: 'Revoke a token: refused from now on by every server sharing the store',
      ...revoke('token', TokenSchema),
    }),
    async (c) => c.json(await service.access.revokeToken(c.req.valid('param').id, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/grants',
      tags: ['access'],
      summary: "Let another tenant use one of your tenant's models or catalog data sets",
      request: {
        body: jsonBody(
          z.strictObject({
            kind: z.enum(GRANT_KINDS),
            resource: z.string().max(256),
            to: z.string().max(LIMITS.nameChars),
          }),
        ),
      },
      responses: {
        201: { description: 'The grant', content: { 'application/json': { schema: GrantSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.access.createGrant(c.req.valid('json'), who(c)), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/grants',
      tags: ['access'],
      summary: 'Grants: all for operators and auditors, those given or received by their tenant for tenant roles',
      responses: {
        200: { description: 'Grants', content: { 'application/json': { schema: z.array(GrantSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.access.listGrants(who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/grants/{id}/revoke',
      tags: ['access'],
      summary: "Revoke a grant: the grantee's new jobs are refused from now on",
      ...revoke('grant', GrantSchema),
    }),
    async (c) => c.json(await service.access.revokeGrant(c.req.valid('param').id, who(c)), 200),
  );
}
