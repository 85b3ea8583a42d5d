import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { JOB_STATES, type SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses, JobSchema, list, QuoteSchema, WhyPendingSchema } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';
import { invalidSpec, specBody, specInput } from './spec-body.ts';

const IdParam = z.object({
  id: z
    .string()
    .max(128)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'j-0123456789ab' }),
});

export function registerJobRoutes(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/jobs',
      tags: ['jobs'],
      summary: 'Submit a job',
      description: 'Validates the spec and stores the job (pending); it is durable when the answer is sent.',
      request: { body: specBody },
      responses: {
        201: { description: 'Accepted', content: { 'application/json': { schema: JobSchema } } },
        ...invalidSpec,
      },
    }),
    async (c) => c.json(await service.submit(await specInput(c), who(c)), 201),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/quote',
      tags: ['jobs'],
      summary: 'Quote a job (dry run)',
      description: 'Every site ranked or rejected, with cost, energy, carbon and expected start. Nothing is stored.',
      request: { body: specBody },
      responses: {
        200: { description: 'Ranked options', content: { 'application/json': { schema: QuoteSchema } } },
        ...invalidSpec,
      },
    }),
    async (c) => c.json(await service.quote(await specInput(c), who(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs',
      tags: ['jobs'],
      summary: 'List jobs, newest first',
      request: {
        query: z.object({
          state: z.enum(JOB_STATES).optional(),
          tenant: z.string().max(128).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: {
        200: { description: 'Jobs', content: { 'application/json': { schema: list(JobSchema) } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const jobs = await service.listJobs(
        {
          ...(q.state ? { states: [q.state] } : {}),
          ...(q.tenant ? { tenant: q.tenant } : {}),
          limit: q.limit ?? 200,
        },
        who(c),
      );
      return c.json(jobs, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs/{id}',
      tags: ['jobs'],
      summary: 'A job with its placement and explanation',
      request: { params: IdParam },
      responses: {
        200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
        404: { description: 'No such job', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.getJob(c.req.valid('param').id, who(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/jobs/{id}/cancel',
      tags: ['jobs'],
      summary: 'Cancel a job that has not finished',
      request: { params: IdParam },
      responses: {
        200: { description: 'The cancelled job', content: { 'application/json': { schema: JobSchema } } },
        404: { description: 'No such job', content: { 'application/json': { schema: ErrorSchema } } },
        409: { description: 'The job has already finished', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.cancel(c.req.valid('param').id, who(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs/{id}/why',
      tags: ['jobs'],
      summary: 'Why is this job pending?',
      description:
        'What a scheduling cycle run now decides for the job (place, reserve a later start, or wait), the reasons per site, and the quota of its cluster queue.',
      request: { params: IdParam },
      responses: {
        200: { description: 'The reasons', content: { 'application/json': { schema: WhyPendingSchema } } },
        404: { description: 'No such job', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.why(c.req.valid('param').id, who(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs/{id}/kueue',
      tags: ['jobs'],
      summary: 'A Kueue-ready Kubernetes Job manifest for a placed job (JSON; suanli export writes it as YAML)',
      request: {
        params: IdParam,
        query: z.object({ namespace: z.string().max(63).optional(), image: z.string().max(512).optional() }),
      },
      responses: {
        200: {
          description: 'Manifest',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
        404: { description: 'No such job', content: { 'application/json': { schema: ErrorSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const options = { ...(q.namespace ? { namespace: q.namespace } : {}), ...(q.image ? { image: q.image } : {}) };
      return c.json(await service.kueueManifest(c.req.valid('param').id, options, who(c)), 200);
    },
  );
}
