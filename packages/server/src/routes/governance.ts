import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { LIMITS, type SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';
import { csvBody, invalidSpec, specBody, specInput } from './spec-body.ts';

const RuleSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    source: z.string(),
    stage: z.enum(['admission', 'placement', 'settlement']),
    effect: z.enum(['deny', 'require', 'prefer']),
  })
  .openapi('Rule');

const PolicySchema = z
  .object({ name: z.string(), version: z.number().int(), rules: z.array(RuleSchema) })
  .openapi('Policy');

const PolicyTestSchema = z
  .object({
    admission: z.object({
      allowed: z.boolean(),
      denials: z.array(z.object({ rule: z.string(), reason: z.string() })),
      checked: z.array(z.string()),
      policy: z.object({ name: z.string(), version: z.number() }),
    }),
    sites: z.array(z.object({ siteId: z.string(), allowed: z.boolean(), reasons: z.array(z.string()) })),
  })
  .openapi('PolicyTest');

const DatasetSchema = z
  .object({
    name: z.string(),
    sizeGb: z.number(),
    replicas: z.array(z.string()),
    level: z.enum(['general', 'important', 'core']).optional(),
    pi: z.enum(['none', 'pi', 'sensitive']).optional(),
    individuals: z.number().optional(),
    sensitiveIndividuals: z.number().optional(),
    tags: z.array(z.string()).optional(),
    owner: z.string().optional(),
    checksum: z.string().optional(),
    quality: z.string().optional(),
  })
  .openapi('Dataset');

const AuditFiguresSchema = z.object({
  sector: z.string(),
  weightsDigest: z.string(),
  atS: z.number(),
  passed: z.boolean(),
  demographicParityDifference: z.number(),
  equalizedOddsDifference: z.number(),
  disparateImpactRatio: z.number(),
});

const ModelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    owner: z.string(),
    weightsDigest: z.string(),
    filedWeightsDigest: z.string().optional(),
    algorithmFilingNo: z.string().optional(),
    genaiFilingNo: z.string().optional(),
    registrationNo: z.string().optional(),
    upstreamFilingNo: z.string().optional(),
    sectors: z.array(z.string()),
    audits: z.array(AuditFiguresSchema),
  })
  .openapi('Model');

const ModelAuditSchema = AuditFiguresSchema.extend({
  modelId: z.string(),
  inputDigest: z.string(),
  report: z.object({
    rows: z.number(),
    groups: z.array(
      z.object({
        group: z.string(),
        count: z.number(),
        selectionRate: z.number(),
        truePositiveRate: z.number().nullable(),
        falsePositiveRate: z.number().nullable(),
      }),
    ),
    passed: z.boolean(),
    failures: z.array(z.string()),
    thresholds: z.record(z.string(), z.number()),
    demographicParityDifference: z.number(),
    equalizedOddsDifference: z.number(),
    disparateImpactRatio: z.number(),
  }),
}).openapi('ModelAudit');

export function registerGovernanceRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/policies',
      tags: ['governance'],
      summary: 'The governance policy in force: every rule with its source',
      responses: {
        200: { description: 'Policy', content: { 'application/json': { schema: PolicySchema } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const p = service.policyInForce(who(c));
      const rules = p.rules.map(({ id, title, source, stage, effect }) => ({ id, title, source, stage, effect }));
      return c.json({ name: p.name, version: p.version, rules }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/policies/test',
      tags: ['governance'],
      summary: 'Dry-run a job spec against the rules: admission, and placement at every site',
      request: { body: specBody },
      responses: {
        200: { description: 'Outcome', content: { 'application/json': { schema: PolicyTestSchema } } },
        ...invalidSpec,
      },
    }),
    async (c) =>
      c.json((await service.testPolicy(await specInput(c), who(c))) as z.infer<typeof PolicyTestSchema>, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/datasets',
      tags: ['governance'],
      summary: 'The data catalog: classification, personal information, replicas, checksum',
      responses: {
        200: { description: 'Datasets', content: { 'application/json': { schema: z.array(DatasetSchema) } } },
        ...errorResponses,
      },
    }),
    (c) => c.json(service.datasets(who(c)) as z.infer<typeof DatasetSchema>[], 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models',
      tags: ['governance'],
      summary: 'The model registry: kind, weights digest, filings, sectors, fairness audits',
      responses: {
        200: { description: 'Models', content: { 'application/json': { schema: z.array(ModelSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json((await service.models(who(c))) as z.infer<typeof ModelSchema>[], 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/models/{id}/audits',
      tags: ['governance'],
      summary: 'Run a fairness audit of a model from predictions, labels and a sensitive attribute (CSV)',
      description:
        'Body: text/csv with the header `prediction,label,group` (0/1, 0/1, a group name). Stores demographic parity difference, equalized odds difference, disparate impact ratio and per-group rates with the model; the rows are not kept.',
      request: {
        params: z.object({
          id: z
            .string()
            .max(128)
            .openapi({ param: { name: 'id', in: 'path' }, example: 'claims-scorer' }),
        }),
        query: z.object({ sector: z.string().max(64).openapi({ example: 'finance' }) }),
        body: {
          required: true,
          description: 'CSV (text/csv); other media types are refused with 415.',
          content: { 'text/csv': { schema: z.string().max(LIMITS.inputBytes) } },
        },
      },
      responses: {
        200: { description: 'The audit', content: { 'application/json': { schema: ModelAuditSchema } } },
        422: { description: 'Unknown model', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { sector } = c.req.valid('query');
      const csv = await csvBody(c);
      const audit = await service.auditModel(id, sector, csv.text, csv.source, who(c));
      return c.json(audit as unknown as z.infer<typeof ModelAuditSchema>, 200);
    },
  );
}
