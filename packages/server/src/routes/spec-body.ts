import { type SpecInput, SuanliError } from '@suanli/service';
import type { Context } from 'hono';
import { ErrorSchema, errorResponses, JobSpecInputJsonSchema } from '../api-schemas.ts';

export const specBody = {
  required: true,
  description: 'A job spec in YAML (application/yaml) or JSON (application/json).',
  content: {
    'application/yaml': { schema: JobSpecInputJsonSchema },
    'application/json': { schema: JobSpecInputJsonSchema },
  },
};

export const invalidSpec = {
  ...errorResponses,
  415: { description: 'Body is neither YAML nor JSON', content: { 'application/json': { schema: ErrorSchema } } },
  422: {
    description: 'Unknown accelerator type, site or dataset, or a gang larger than any pool',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

/** Reads a spec body as text, so the service can point at the line of a bad field. */
export async function specInput(c: Context): Promise<SpecInput> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const accepted = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', ''];
  if (!accepted.includes(type)) {
    throw new SuanliError(
      'UNSUPPORTED_MEDIA_TYPE',
      `cannot read a job spec from ${type}; send application/yaml or application/json`,
    );
  }
  const source = c.req.header('x-suanli-source');
  const text = await c.req.text();
  if (text.trim() === '') throw new SuanliError('MALFORMED_INPUT', 'the request body is empty; send a job spec');
  return source ? { text, source } : { text };
}
