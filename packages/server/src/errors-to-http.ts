import { HTTP_STATUS, SuanliError, toSuanliError } from '@suanli/service';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one place where anything thrown in a request becomes a catalog error and a status. */
export function errorResponse(c: Context, err: unknown): Response {
  const e = fromHttpException(err) ?? toSuanliError(err);
  return c.json(e.toBody(), HTTP_STATUS[e.code] as ContentfulStatusCode);
}

function fromHttpException(err: unknown): SuanliError | undefined {
  if (!(err instanceof HTTPException)) return undefined;
  if (err.status === 413) return new SuanliError('PAYLOAD_TOO_LARGE', 'request body is larger than 1 MB');
  if (err.status === 415) return new SuanliError('UNSUPPORTED_MEDIA_TYPE', err.message || 'unsupported media type');
  if (err.status === 400) return new SuanliError('MALFORMED_INPUT', err.message || 'malformed request');
  return undefined;
}
