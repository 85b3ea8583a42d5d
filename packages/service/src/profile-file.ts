import { readFileSync } from 'node:fs';
import {
  buildProfile,
  type ObjectiveWeights,
  type PluginRef,
  type Profile,
  ProfileError,
  type ProfileSpec,
  SHED_GROUPS,
} from '@suanli/engine';
import { z } from 'zod';
import { SuanliError } from './errors.ts';
import { int, LIMITS, list, mapOf, num, positive, text } from './limits.ts';
import { type FieldPath, type ParsedText, parseText, readInputFile, validate } from './text-input.ts';

/** Arguments of a plug-in: their ranges are each plug-in's own (the engine's registry checks them). */
const args = mapOf(z.unknown(), 16, text(64));
const pluginName = text(64);
/** A plug-in as written: `quota`, `{ preemption: { minWaitS: 600 } }`, or `{ name, args, weight }`. */
const pluginEntry = z.union([
  pluginName,
  z.strictObject({ name: pluginName, args: args.optional(), weight: positive(100).optional() }),
  mapOf(args.nullable(), 1, pluginName).refine((m) => Object.keys(m).length === 1, 'must name one plug-in'),
]);
const objective = num(0, LIMITS.objectiveWeight);

export const profileSchema = z.strictObject({
  name: text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  description: text(LIMITS.textChars).optional(),
  queueSort: pluginEntry,
  plugins: list(pluginEntry, LIMITS.profilePlugins),
  scores: list(pluginEntry, LIMITS.profilePlugins),
  carbonSignal: z.enum(['location-based', 'market-based']).optional(),
  objectiveWeights: z
    .strictObject({ cost: objective.optional(), carbon: objective.optional(), time: objective.optional() })
    .optional(),
  backfill: z.strictObject({ reservations: int(0, 1000).optional() }).optional(),
  queueDepth: int(1, 1_000_000).optional(),
  timeShift: z
    .union([
      z.literal(false),
      z.strictObject({ horizonH: positive(7 * 24).optional(), stepS: num(60, 86_400).optional() }),
    ])
    .optional(),
  optimizer: z
    .strictObject({
      mode: z.enum(['off', 'on-demand', 'every-cycle']).optional(),
      minJobs: int(1, 1_000_000).optional(),
      maxJobs: int(1, 1_000_000).optional(),
      optionsPerJob: int(1, 64).optional(),
      timeLimitS: num(0.01, 3600).optional(),
      gapPct: num(0, 100).optional(),
      slotS: num(60, 86_400).optional(),
      horizonS: num(60, 30 * 86_400).optional(),
    })
    .optional(),
  explain: z.enum(['full', 'brief', 'none']).optional(),
  /** Who gives power first when the grid asks for less: idle, burst, preemptible, slack, cap (docs/design/power.md). */
  demandResponse: z.strictObject({ shedOrder: list(z.enum(SHED_GROUPS), SHED_GROUPS.length).optional() }).optional(),
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
    ...(file.demandResponse?.shedOrder ? { demandResponse: { shedOrder: file.demandResponse.shedOrder } } : {}),
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
