import { readFileSync } from 'node:fs';
import type { AcceleratorSpec } from '@suanli/engine';
import { z } from 'zod';
import { LIMITS, num, positive, text } from './limits.ts';
import { parseText, validate } from './text-input.ts';

export const acceleratorSpecSchema = z.strictObject({
  type: text(64).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be a short name like H100'),
  vendor: text().min(1),
  name: text(256).min(1),
  tdpW: num(1, LIMITS.acceleratorTdpW),
  bf16DenseTflops: num(0.001, LIMITS.acceleratorTflops),
  memoryGb: positive(LIMITS.acceleratorMemoryGb),
  stack: text(64).min(1),
});

const catalogFile = new URL('../data/accelerators.yaml', import.meta.url);

/** The built-in accelerator catalog (data/accelerators.yaml). */
export function builtinAccelerators(): AcceleratorSpec[] {
  const parsed = parseText(readFileSync(catalogFile, 'utf8'), 'accelerators.yaml');
  return validate(z.strictObject({ accelerators: z.array(acceleratorSpecSchema) }), parsed, 'INVALID_NETWORK')
    .accelerators;
}
