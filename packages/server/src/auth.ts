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
 * are public; /metrics needs a token that may read metrics. The dashboard calls the API with the
 * token it was opened with.
 */
export function requireToken(app: OpenAPIHono<AppEnv>, service: SuanliService): void {
  app.use('/v1/*', async (c, next) => {
    c.set('principal', await service.authenticate(bearerToken(c.req.header('authorization'))));
    await next();
  });
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

export function who(c: Context<AppEnv>): Principal {
  return c.get('principal');
}
