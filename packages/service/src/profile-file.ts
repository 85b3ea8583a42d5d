import { readFileSync } from 'node:fs';
import {
  buildProfile,
  type ObjectiveWeights,
  type PluginRef,
  type Profile,
  ProfileError,
  type ProfileSpec,
} from '@suanli/engine';
import { z } from 'zod';
import { SuanliError } from './errors.ts';
import { type FieldPath, type ParsedText, parseText, readInputFile, validate } from './text-input.ts';

const args = z.record(z.string(), z.unknown());
/** A plug-in as written: `quota`, `{ preemption: { minWaitS: 600 } }`, or `{ name, args, weight }`. */
const pluginEntry = z.union([
  z.string(),
  z.strictObject({ name: z.string(), args: args.optional(), weight: z.number().optional() }),
  z.record(z.string(), args.nullable()).refine((m) => Object.keys(m).length === 1, 'must name one plug-in'),
]);

const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  description: z.string().optional(),
  queueSort: pluginEntry,
  plugins: z.array(pluginEntry),
  scores: z.array(pluginEntry),
  carbonSignal: z.enum(['location-based', 'market-based']).optional(),
  objectiveWeights: z
    .strictObject({
      cost: z.number().min(0).optional(),
      carbon: z.number().min(0).optional(),
      time: z.number().min(0).optional(),
    })
    .optional(),
  backfill: z.strictObject({ reservations: z.number().optional() }).optional(),
  queueDepth: z.number().optional(),
  timeShift: z
    .union([z.literal(false), z.strictObject({ horizonH: z.number().optional(), stepS: z.number().optional() })])
    .optional(),
  optimizer: z
    .strictObject({
      mode: z.enum(['off', 'on-demand', 'every-cycle']).optional(),
      minJobs: z.number().optional(),
      maxJobs: z.number().optional(),
      optionsPerJob: z.number().optional(),
      timeLimitS: z.number().optional(),
      gapPct: z.number().optional(),
      slotS: z.number().optional(),
      horizonS: z.number().optional(),
    })
    .optional(),
  explain: z.enum(['full', 'brief', 'none']).optional(),
});

type Entry = z.infer<typeof pluginEntry>;

/** A plug-in entry as a PluginRef, and how to map paths inside the ref back to the written YAML. */
function toRef(entry: Entry, at: FieldPath): { ref: PluginRef; map: (p: readonly (string | number)[]) => FieldPath } {
  if (typeof entry === 'string') return { ref: { name: entry }, map: () => at };
  if ('name' in entry && typeof entry.name === 'string') {
    const e = entry as { name: string; args?: Record<string, unknown>; weight?: number };
    return {
      ref: {
        name: e.name,
        ...(e.args ? { args: e.args } : {}),
        ...(e.weight !== undefined ? { weight: e.weight } : {}),
      },
      map: (p) => [...at, ...p],
    };
  }
  const [name, a] = Object.entries(entry)[0] ?? ['', null];
  return {
    ref: { name, ...(a ? { args: a as Record<string, unknown> } : {}) },
    map: (p) => (p[0] === 'args' ? [...at, name, ...p.slice(1)] : at),
  };
}

/** Reads and builds a profile; every error names the file, line and field. */
export function parseProfile(text: string, source: string): Profile {
  let parsed: ParsedText;
  try {
    parsed = parseText(text, source);
  } catch (e) {
    if (e instanceof SuanliError) throw new SuanliError('INVALID_PROFILE', e.message, e.location);
    throw e;
  }
  const file = validate(profileSchema, parsed, 'INVALID_PROFILE');
  const sort = toRef(file.queueSort, ['queueSort']);
  const plugins = file.plugins.map((e, i) => toRef(e, ['plugins', i]));
  const scores = file.scores.map((e, i) => toRef(e, ['scores', i]));
  const spec: ProfileSpec = {
    name: file.name,
    queueSort: sort.ref,
    plugins: plugins.map((p) => p.ref),
    scores: scores.map((p) => p.ref),
    ...(file.carbonSignal ? { carbonSignal: file.carbonSignal } : {}),
    ...(file.objectiveWeights
      ? {
          objectiveWeights: Object.fromEntries(
            Object.entries(file.objectiveWeights).filter(([, v]) => v !== undefined),
          ) as Partial<ObjectiveWeights>,
        }
      : {}),
    ...(file.backfill?.reservations !== undefined ? { backfill: { reservations: file.backfill.reservations } } : {}),
    ...(file.queueDepth !== undefined ? { queueDepth: file.queueDepth } : {}),
    ...(file.timeShift !== undefined
      ? {
          timeShift:
            file.timeShift === false
              ? false
              : {
                  ...(file.timeShift.horizonH !== undefined ? { horizonH: file.timeShift.horizonH } : {}),
                  ...(file.timeShift.stepS !== undefined ? { stepS: file.timeShift.stepS } : {}),
                },
        }
      : {}),
    ...(file.optimizer
      ? { optimizer: Object.fromEntries(Object.entries(file.optimizer).filter(([, v]) => v !== undefined)) }
      : {}),
    ...(file.explain ? { explain: file.explain } : {}),
  };
  try {
    return buildProfile(spec);
  } catch (e) {
    if (!(e instanceof ProfileError)) throw e;
    const [section, index, ...rest] = e.path;
    const list = section === 'plugins' ? plugins : section === 'scores' ? scores : undefined;
    const entry = typeof index === 'number' ? list?.[index] : undefined;
    const path: FieldPath = entry ? entry.map(rest) : section === 'queueSort' ? sort.map(e.path.slice(1)) : e.path;
    throw new SuanliError('INVALID_PROFILE', e.message, parsed.locate(path));
  }
}

export function loadProfileFile(path: string): Profile {
  const text = readInputFile(path, 'INVALID_PROFILE', 'profile');
  return parseProfile(text, path);
}

/** Profiles that ship with Suanli: the default and the baselines simulations compare it with. */
export const BUILTIN_PROFILES = ['default', 'fifo-nearest', 'fifo-cheapest', 'sjf', 'srtf', 'qssf', 'las'] as const;

/** Profiles that ship with Suanli, by name. */
export function builtinProfile(name = 'default'): Profile {
  if (!(BUILTIN_PROFILES as readonly string[]).includes(name)) {
    throw new SuanliError(
      'INVALID_PROFILE',
      `unknown built-in profile ${name} (known: ${BUILTIN_PROFILES.join(', ')})`,
    );
  }
  const file = new URL(`../profiles/${name}.yaml`, import.meta.url);
  return parseProfile(readFileSync(file, 'utf8'), `${name}.yaml`);
}
