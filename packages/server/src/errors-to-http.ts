import { randomUUID } from 'node:crypto';
import { HTTP_STATUS, SuanliError, toSuanliError } from '@suanli/service';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Where a 500's details go: the server log, never the caller. */
export interface ErrorLog {
  error(details: Record<string, unknown>, message: string): void;
}

/**
 * The one place where anything thrown in a request becomes a catalog error and a status. An
 * internal error is logged whole under a request id; the caller gets only the id and a generic reason.
 */
export function errorResponse(c: Context, err: unknown, log: ErrorLog): Response {
  const e = fromHttpException(err) ?? toSuanliError(err);
  const status = HTTP_STATUS[e.code] as ContentfulStatusCode;
  if (status < 500 || e.code === 'SERVER_UNREACHABLE') return c.json(e.toBody(), status);
  const given = c.req.header('x-request-id');
  const requestId = given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
  log.error({ requestId, method: c.req.method, path: c.req.path, err }, 'request failed');
  c.header('x-request-id', requestId);
  return c.json(
    {
      error: {
        code: e.code,
        message: `internal error; the server log has the details under request id ${requestId}`,
        requestId,
      },
    },
    status,
  );
}

function fromHttpException(err: unknown): SuanliError | undefined {
  if (!(err instanceof HTTPException)) return undefined;
  if (err.status === 413) return new SuanliError('PAYLOAD_TOO_LARGE', 'request body is larger than 1 MB');
  if (err.status === 415) return new SuanliError('UNSUPPORTED_MEDIA_TYPE', err.message || 'unsupported media type');
  if (err.status === 400) return new SuanliError('MALFORMED_INPUT', err.message || 'malformed request');
  return undefined;
}
