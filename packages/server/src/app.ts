import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import { describeIssue, fieldName, SuanliError, type SuanliService } from '@suanli/service';
import { bodyLimit } from 'hono/body-limit';
import { type AppEnv, requireToken } from './auth.ts';
import { registerDocsPage } from './docs-page.ts';
import { type ErrorLog, errorResponse } from './errors-to-http.ts';
import type { Metrics } from './metrics.ts';
import { registerAccessRoutes } from './routes/access.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerGovernanceRoutes } from './routes/governance.ts';
import { registerHealthRoute, VERSION } from './routes/health.ts';
import { registerHistoryRoutes } from './routes/history.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerMarketRoutes } from './routes/market.ts';
import { registerMetricsRoute } from './routes/metrics.ts';
import { registerOptimizeRoute } from './routes/optimize.ts';
import { registerPowerRoutes } from './routes/power.ts';
import { registerServiceRoutes } from './routes/services.ts';
import { registerSettlementRoutes } from './routes/settlement.ts';
import { registerHealthRoutes, registerSiteRoutes } from './routes/sites.ts';
import { settleUnreadBody } from './unread-body.ts';

export interface AppOptions {
  /** Folder of the built dashboard; served at /. Defaults to apps/web/dist of this repository. */
  readonly webDir?: string;
  /** Served at /metrics (Prometheus text format), to tokens that may read metrics. */
  readonly metrics?: Metrics;
  /** Where internal errors are logged, each under its request id (default: standard error). */
  readonly log?: ErrorLog;
}

export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../apps/web/dist', import.meta.url));

/**
 * The HTTP interface: routes translate requests into service calls and results into JSON. No
 * logic lives here. Test it in-process with `app.request()`.
 */
export function createApp(service: SuanliService, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        if (!issue) throw new SuanliError('INVALID_FIELD', 'invalid request');
        const { path, message } = describeIssue(issue);
        const field = fieldName(path);
        throw new SuanliError('INVALID_FIELD', message, field ? { field } : {});
      }
      return undefined;
    },
  });
  const log: ErrorLog = options.log ?? { error: (details, message) => console.error(message, details) };
  app.onError((err, c) => errorResponse(c, err, log));
  app.notFound((c) =>
    errorResponse(c, new SuanliError('ROUTE_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), log),
  );
  app.use('*', settleUnreadBody());
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new SuanliError('PAYLOAD_TOO_LARGE', 'request body is larger than 1 MB');
      },
    }),
  );

  requireToken(app, service);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (suanli tokens create); the first operator token is written to the data folder',
  });

  registerHealthRoute(app, service);
  registerSiteRoutes(app, service);
  registerHealthRoutes(app, service);
  registerServiceRoutes(app, service);
  registerSettlementRoutes(app, service);
  registerMarketRoutes(app, service);
  registerPowerRoutes(app, service);
  registerHistoryRoutes(app, service);
  registerJobRoutes(app, service);
  registerAuditRoutes(app, service);
  registerOptimizeRoute(app, service);
  registerGovernanceRoutes(app, service);
  registerAccessRoutes(app, service);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Suanli API',
      version: VERSION,
      description:
        'Coordinates AI computing power across a network of data centers: sites, jobs, explained placements, audit.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
  });
  registerDocsPage(app);
  if (options.metrics) registerMetricsRoute(app, service, options.metrics);

  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  if (existsSync(webDir)) {
    app.use('/*', serveStatic({ root: webDir }));
    app.get('/*', serveStatic({ root: webDir, path: 'index.html' }));
  } else {
    app.get('/', (c) =>
      c.text('Suanli API is running. The dashboard is not built: run `npm run build`. API docs: /docs\n'),
    );
  }
  return app;
}
