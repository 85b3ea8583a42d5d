import { readFileSync } from 'node:fs';
import type { AcceleratorSpec } from '@suanli/engine';
import { z } from 'zod';
import { parseText, validate } from './text-input.ts';

export const acceleratorSpecSchema = z.strictObject({
  type: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be a short name like H100'),
  vendor: z.string().min(1),
  name: z.string().min(1),
  tdpW: z.number().positive(),
  bf16DenseTflops: z.number().positive(),
  memoryGb: z.number().positive(),
  stack: z.string().min(1),
});

const catalogFile = new URL('../data/accelerators.yaml', import.meta.url);

/** The built-in accelerator catalog (data/accelerators.yaml). */
export function builtinAccelerators(): AcceleratorSpec[] {
  const parsed = parseText(readFileSync(catalogFile, 'utf8'), 'accelerators.yaml');
  return validate(z.strictObject({ accelerators: z.array(acceleratorSpecSchema) }), parsed, 'INVALID_NETWORK')
    .accelerators;
}
