import { type SpecInput, SuanliError } from '@suanli/service';
import type { Context } from 'hono';
import { ErrorSchema, errorResponses, JobSpecInputJsonSchema } from '../api-schemas.ts';

export const specBody = {
  required: true,
  description:
    'A job spec in YAML (application/yaml, application/x-yaml, text/yaml) or strict JSON (application/json). Other media types, or none, are refused with 415.',
  content: {
    'application/yaml': { schema: JobSpecInputJsonSchema },
    'application/json': { schema: JobSpecInputJsonSchema },
  },
};

export const invalidSpec = {
  ...errorResponses,
  415: {
    description: 'The Content-Type is not a YAML or JSON type (or is missing)',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  422: {
    description: 'Unknown accelerator type, site or dataset, or a gang larger than any pool',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

/** Media types of a job spec body: YAML, or strict JSON. Anything else (or none) is refused with 415. */
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** `yaml` or `json` from a Content-Type header; UNSUPPORTED_MEDIA_TYPE for any other. */
export function specFormat(contentType: string | undefined): 'yaml' | 'json' {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (YAML_TYPES.includes(type)) return 'yaml';
  if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return 'json';
  throw new SuanliError(
    'UNSUPPORTED_MEDIA_TYPE',
    `${type ? `cannot read a job spec from ${type}` : 'no Content-Type'}: send application/yaml or application/json`,
  );
}

/** Reads a CSV body (a fairness audit's rows); UNSUPPORTED_MEDIA_TYPE unless it is labelled text/csv. */
export async function csvBody(c: Context): Promise<{ text: string; source: string }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'text/csv') {
    throw new SuanliError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${type ? `cannot read CSV from ${type}` : 'no Content-Type'}: send text/csv`,
    );
  }
  return { text: await c.req.text(), source: c.req.header('x-suanli-source')?.slice(0, 256) ?? 'upload' };
}

/** Reads a spec body as text, so the service can point at the line of a bad field. */
export async function specInput(c: Context): Promise<SpecInput> {
  const format = specFormat(c.req.header('content-type'));
  const source = c.req.header('x-suanli-source');
  const text = await c.req.text();
  if (text.trim() === '') throw new SuanliError('MALFORMED_INPUT', 'the request body is empty; send a job spec');
  return { text, format, ...(source ? { source: source.slice(0, 256) } : {}) };
}
