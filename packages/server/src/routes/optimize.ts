import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { SuanliService } from '@suanli/service';
import { ErrorSchema, errorResponses, OptimizeResultSchema } from '../api-schemas.ts';
import { type AppEnv, who } from '../auth.ts';

export function registerOptimizeRoute(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/optimize',
      tags: ['scheduling'],
      summary: 'Run the batch optimizer over the queue now',
      description:
        'Plans the pending jobs together (jobs × sites × hourly slots: one LP/MIP solved with HiGHS for a small batch, classes and prices for a large one) and reports the plan and its gap to a lower bound. With apply=true the plan is carried out as a scheduling cycle would.',
      request: { query: z.object({ apply: z.enum(['true', 'false']).optional() }) },
      responses: {
        200: { description: 'The plan', content: { 'application/json': { schema: OptimizeResultSchema } } },
        409: {
          description: 'No solver, or the optimizer is off in this profile',
          content: { 'application/json': { schema: ErrorSchema } },
        },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await service.optimize(c.req.valid('query').apply === 'true', who(c)), 200),
  );
}
