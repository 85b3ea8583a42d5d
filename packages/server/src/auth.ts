import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal, SuanliService } from '@suanli/service';
import type { Context } from 'hono';

/** What every API route knows besides the request: who is calling. */
export interface AppEnv {
  Variables: { principal: Principal };
}

/**
 * Every /v1 route needs an API token (`Authorization: Bearer sl_…`); the service authorizes each
 * action for the token's role and tenant. /health, /docs, /openapi.json and the dashboard's files
 * are public; the dashboard calls the API with the token it was opened with.
 */
export function requireToken(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    c.set('principal', await service.authenticate(token));
    await next();
  });
}

export function who(c: Context<AppEnv>): Principal {
  return c.get('principal');
}
