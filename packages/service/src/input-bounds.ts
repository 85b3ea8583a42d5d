import { z } from 'zod';
import { jobSpecInputSchema } from './job-spec.ts';
import { networkSchema } from './network-file.ts';
import { policySchema } from './policy-file.ts';
import { profileSchema } from './profile-file.ts';
import { scenarioSchema } from './scenario-file.ts';

/** Every input file format and its schema, for the bounds check and docs/limits.md. */
export const INPUT_SCHEMAS: readonly { readonly name: string; readonly doc: string; readonly schema: z.ZodType }[] = [
  { name: 'job spec', doc: 'docs/job-spec.md', schema: jobSpecInputSchema },
  { name: 'network file', doc: 'docs/network-file.md', schema: networkSchema },
  { name: 'scenario file', doc: 'docs/scenario-file.md', schema: scenarioSchema },
  { name: 'profile', doc: 'docs/design/profiles.md', schema: profileSchema },
  { name: 'policy', doc: 'docs/design/governance.md', schema: policySchema },
];

/** A field of an input and its range: numbers by value, text by characters, lists and maps by entries. */
export interface FieldBound {
  readonly path: string;
  readonly kind: 'number' | 'whole number' | 'text' | 'list' | 'mapping';
  readonly min?: number;
  /** `min` itself is not allowed (a number > min). */
  readonly minExclusive?: boolean;
  readonly max?: number;
  /** The field has no upper bound: an input could make it as large as it likes. */
  readonly unbounded: boolean;
}

type JsonSchema = Readonly<Record<string, unknown>>;

/** The JSON Schema of an input as users write it. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/**
 * Every number, text, list and mapping of a JSON Schema with its bounds, by field path
 * (`datasets[].sizeGb`, `tariffs{}`). Values of unknown type (`{}`) are checked elsewhere (plug-in
 * arguments by the engine's registry, rule conditions by the policy reader) and are not listed.
 */
export function fieldBounds(schema: JsonSchema, refs: Readonly<Record<string, JsonSchema>> = {}): FieldBound[] {
  const out = new Map<string, FieldBound>();
  const defs = (schema['$defs'] ?? schema['definitions'] ?? refs) as Readonly<Record<string, JsonSchema>>;
  const walk = (s: JsonSchema | undefined, path: string, seen: ReadonlySet<string>): void => {
    if (!s || typeof s !== 'object') return;
    const ref = s['$ref'];
    if (typeof ref === 'string') {
      const name = ref.replace(/^#\/(\$defs|definitions|components\/schemas)\//, '');
      if (!seen.has(name)) walk(defs[name], path, new Set([...seen, name]));
      return;
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const alts = s[key];
      if (Array.isArray(alts)) for (const a of alts) walk(a as JsonSchema, path, seen);
    }
    const add = (b: Omit<FieldBound, 'path'>) => {
      const k = `${path}|${b.kind}`;
      if (!out.has(k)) out.set(k, { path: path || '(top)', ...b });
    };
    const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
    const declared = s['type'];
    // `[integer, null]` (an optional query parameter) is an integer.
    const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
    if (type === 'number' || type === 'integer') {
      const min = num('minimum') ?? num('exclusiveMinimum');
      const max = num('maximum') ?? num('exclusiveMaximum');
      add({
        kind: type === 'integer' ? 'whole number' : 'number',
        ...(min !== undefined ? { min } : {}),
        ...(num('minimum') === undefined && min !== undefined ? { minExclusive: true } : {}),
        ...(max !== undefined ? { max } : {}),
        unbounded: min === undefined || max === undefined,
      });
    } else if (type === 'string' && s['enum'] === undefined && s['const'] === undefined) {
      const max = num('maxLength');
      add({ kind: 'text', ...(max !== undefined ? { max } : {}), unbounded: max === undefined });
    } else if (type === 'array') {
      const prefix = s['prefixItems'];
      const max = num('maxItems') ?? (Array.isArray(prefix) && s['items'] === false ? prefix.length : undefined);
      const min = num('minItems');
      add({
        kind: 'list',
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        unbounded: max === undefined,
      });
      if (Array.isArray(prefix)) {
        for (const [i, p] of prefix.entries()) walk(p as JsonSchema, `${path}[${i}]`, seen);
      }
      if (s['items'] && typeof s['items'] === 'object') walk(s['items'] as JsonSchema, `${path}[]`, seen);
    } else if (type === 'object') {
      const props = (s['properties'] ?? {}) as Readonly<Record<string, JsonSchema>>;
      for (const [k, v] of Object.entries(props)) walk(v, path ? `${path}.${k}` : k, seen);
      const extra = s['additionalProperties'];
      if (extra && typeof extra === 'object') {
        const max = num('maxProperties');
        add({ kind: 'mapping', ...(max !== undefined ? { max } : {}), unbounded: max === undefined });
        if (s['propertyNames']) walk(s['propertyNames'] as JsonSchema, `${path}{} key`, seen);
        walk(extra as JsonSchema, `${path}{}`, seen);
      }
    }
  };
  walk(schema, '', new Set());
  return [...out.values()];
}

/** docs/limits.md: every input's fields with their ranges, generated from the schemas. */
export function renderLimitsDoc(): string {
  const lines = [
    '# Limits of every input',
    '',
    'Generated from the input schemas by `npm run gen:limits`; a test fails when this page is stale.',
    'Every number has a range, every text a length, every list and mapping a size: an input outside',
    'them is refused with a 4xx and a code naming the field (exit 2 in the CLI). Besides these, text',
    'input is at most 1 MB (job specs, API bodies) or 64 MB (network, scenario, profile and policy',
    'files), YAML may use at most 100 aliases and nest 64 levels, rule conditions have at most 1,000',
    'parts nested 16 deep, and plug-in arguments are checked by each plug-in (`packages/engine/src/framework/registry.ts`).',
    "The dearest job any accepted input can describe costs less than 2^53 fen, so each job's cost is",
    'exact in fen (`worstCaseCostFen` in `packages/service/src/limits.ts`); totals are finite, never Infinity.',
  ];
  const fmt = (n: number | undefined) =>
    n === undefined ? '' : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
  for (const input of INPUT_SCHEMAS) {
    lines.push('', `## ${input.name} ([${input.doc.replace(/^docs\//, '')}](${input.doc.replace(/^docs\//, '')}))`, '');
    lines.push('| field | kind | min | max |', '| --- | --- | --- | --- |');
    for (const b of fieldBounds(jsonSchemaOf(input.schema))) {
      const min = `${b.minExclusive ? '> ' : ''}${fmt(b.min)}`;
      lines.push(`| \`${b.path}\` | ${b.kind} | ${min} | ${b.unbounded ? '**unbounded**' : fmt(b.max)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
