import type { Network } from '@suanli/engine';
import { type JobSpec, readJobSpec } from '../job-spec.ts';
import { type ParsedText, parsedValue, parseText } from '../text-input.ts';

/** A job spec as it arrives: text (YAML or JSON) or an already parsed value. */
export type SpecInput =
  | { readonly text: string; readonly source?: string; readonly format?: 'yaml' | 'json' }
  | { readonly value: unknown; readonly source?: string };

/** Reads and checks a job spec against the network; a SuanliError names the first bad field. */
export function readSpec(input: SpecInput, network: Network, nowS: number): JobSpec {
  const parsed: ParsedText =
    'text' in input
      ? parseText(input.text, input.source, input.format ? { format: input.format } : {})
      : parsedValue(input.value, input.source);
  return readJobSpec(parsed, network, nowS);
}
