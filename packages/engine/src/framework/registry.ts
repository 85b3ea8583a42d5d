import type { ObjectiveWeights } from '../domain/job.ts';
import type { CarbonSignal } from '../domain/placement.ts';
import { acceleratorType } from '../plugins/accelerator-type/accelerator-type.ts';
import { budget } from '../plugins/budget/budget.ts';
import { capacityFit } from '../plugins/capacity-fit/capacity-fit.ts';
import { carbonScore } from '../plugins/carbon-score/carbon-score.ts';
import { costScore } from '../plugins/cost-score/cost-score.ts';
import { deadline } from '../plugins/deadline/deadline.ts';
import { distanceScore } from '../plugins/distance-score/distance-score.ts';
import { fairLas } from '../plugins/fair-las/fair-las.ts';
import { fairShare } from '../plugins/fair-share/fair-share.ts';
import { las } from '../plugins/las/las.ts';
import { powerCap } from '../plugins/power-cap/power-cap.ts';
import { preemptByOrder } from '../plugins/preempt-by-order/preempt-by-order.ts';
import { preemption } from '../plugins/preemption/preemption.ts';
import { priorityFifo } from '../plugins/priority-fifo/priority-fifo.ts';
import { qssf } from '../plugins/qssf/qssf.ts';
import { quota } from '../plugins/quota/quota.ts';
import { siteAffinity } from '../plugins/site-affinity/site-affinity.ts';
import { sjf } from '../plugins/sjf/sjf.ts';
import { srtf } from '../plugins/srtf/srtf.ts';
import { tenantLimit } from '../plugins/tenant-limit/tenant-limit.ts';
import { timeScore } from '../plugins/time-score/time-score.ts';
import { DEFAULT_SHED_ORDER, SHED_GROUPS, type ShedGroup } from '../power/grid-plan.ts';
import type {
  FilterPlugin,
  PermitPlugin,
  Plugin,
  PostFilterPlugin,
  PreFilterPlugin,
  QueueSortPlugin,
  ReservePlugin,
  ScorePlugin,
  SiteFilterPlugin,
} from './plugin.ts';
import type { OptimizerSettings, Profile } from './profile.ts';

/** A profile as written (YAML or JSON): plug-ins by name, with arguments and weights. */
export interface ProfileSpec {
  readonly name: string;
  /** The queue-sort plug-in: a name, or a name with arguments. */
  readonly queueSort: string | PluginRef;
  /** Plug-ins in order; each runs at every extension point it implements. */
  readonly plugins: readonly PluginRef[];
  readonly scores: readonly PluginRef[];
  readonly carbonSignal?: CarbonSignal;
  /** How much each objective counts, multiplying the job's weights (default 1 each). */
  readonly objectiveWeights?: Partial<ObjectiveWeights>;
  readonly backfill?: { readonly reservations?: number };
  /** How many queued jobs a cycle evaluates, in queue order; unlimited when absent. */
  readonly queueDepth?: number;
  /** `false` turns time shifting off. */
  readonly timeShift?: false | { readonly horizonH?: number; readonly stepS?: number };
  readonly optimizer?: Partial<OptimizerSettings>;
  readonly explain?: 'full' | 'brief' | 'none';
  /** Who gives power first when the grid asks for less (default: idle, burst, preemptible, slack, cap). */
  readonly demandResponse?: { readonly shedOrder?: readonly string[] };
}

export interface PluginRef {
  readonly name: string;
  readonly args?: Readonly<Record<string, unknown>>;
  /** Score plug-ins only: the weight of this plug-in within its objective (default 1). */
  readonly weight?: number;
}

/** A profile that cannot be built; `path` points into the spec (`plugins[3].args.minWaitS`). */
export class ProfileError extends Error {
  readonly path: readonly (string | number)[];

  constructor(path: readonly (string | number)[], message: string) {
    super(message);
    this.name = 'ProfileError';
    this.path = path;
  }
}

type Args = Readonly<Record<string, unknown>>;
type Factory = (args: Args, path: readonly (string | number)[]) => Plugin;

function numberArg(
  args: Args,
  path: readonly (string | number)[],
  key: string,
  opts: { min?: number; integer?: boolean },
): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProfileError([...path, key], 'must be a number');
  if (opts.integer && !Number.isInteger(v)) throw new ProfileError([...path, key], 'must be a whole number');
  if (opts.min !== undefined && v < opts.min) throw new ProfileError([...path, key], `must be ≥ ${opts.min}`);
  return v;
}

/** Attained-service thresholds (accelerator-seconds), ascending; one of 5 accelerator-hours when absent. */
function thresholdsArg(args: Args, path: readonly (string | number)[]): number[] {
  const t = args['thresholdsS'] ?? [18_000];
  if (!Array.isArray(t) || t.some((x) => typeof x !== 'number' || !(x > 0))) {
    throw new ProfileError([...path, 'thresholdsS'], 'must be a list of accelerator-seconds > 0');
  }
  const thresholdsS = t as number[];
  if (thresholdsS.some((x, i) => i > 0 && x <= (thresholdsS[i - 1] ?? 0))) {
    throw new ProfileError([...path, 'thresholdsS'], 'must be ascending');
  }
  return thresholdsS;
}

function noArgs(make: () => Plugin): Factory {
  return (args, path) => {
    const extra = Object.keys(args)[0];
    if (extra !== undefined) throw new ProfileError([...path, extra], 'unknown argument: this plug-in takes none');
    return make();
  };
}

function onlyArgs(args: Args, path: readonly (string | number)[], known: readonly string[]): void {
  for (const k of Object.keys(args)) {
    if (!known.includes(k)) throw new ProfileError([...path, k], `unknown argument (known: ${known.join(', ')})`);
  }
}

/**
 * Every plug-in Suanli ships, by name: an explicit map, no registration by side effect. A factory
 * validates its arguments before it returns a plug-in, so a bad profile fails when it is loaded.
 */
export const REGISTRY: Readonly<Record<string, Factory>> = {
  'priority-fifo': noArgs(priorityFifo),
  'fair-share': noArgs(fairShare),
  'accelerator-type': noArgs(acceleratorType),
  'capacity-fit': noArgs(capacityFit),
  quota: noArgs(quota),
  'power-cap': noArgs(powerCap),
  deadline: noArgs(deadline),
  budget: noArgs(budget),
  'cost-score': noArgs(costScore),
  'carbon-score': noArgs(carbonScore),
  'time-score': noArgs(timeScore),
  preemption: (args, path) => {
    onlyArgs(args, path, ['minWaitS', 'maxPools']);
    return preemption({
      minWaitS: numberArg(args, path, 'minWaitS', { min: 0 }) ?? 600,
      maxPools: numberArg(args, path, 'maxPools', { min: 1, integer: true }) ?? 20,
    });
  },
  sjf: noArgs(sjf),
  srtf: noArgs(srtf),
  qssf: noArgs(qssf),
  las: (args, path) => {
    onlyArgs(args, path, ['thresholdsS']);
    return las({ thresholdsS: thresholdsArg(args, path) });
  },
  'fair-las': (args, path) => {
    onlyArgs(args, path, ['thresholdsS', 'starveAfterS', 'starveFactor', 'minRunS', 'shareBound']);
    const shareBound = args['shareBound'] ?? true;
    if (typeof shareBound !== 'boolean') throw new ProfileError([...path, 'shareBound'], 'must be true or false');
    return fairLas({
      thresholdsS: thresholdsArg(args, path),
      starveAfterS: numberArg(args, path, 'starveAfterS', { min: 60 }) ?? 24 * 3600,
      starveFactor: numberArg(args, path, 'starveFactor', { min: 0 }) ?? 4,
      minRunS: numberArg(args, path, 'minRunS', { min: 0 }) ?? 600,
      shareBound,
    });
  },
  'site-affinity': noArgs(siteAffinity),
  'distance-score': noArgs(distanceScore),
  'preempt-by-order': (args, path) => {
    onlyArgs(args, path, ['maxPools']);
    return preemptByOrder({ maxPools: numberArg(args, path, 'maxPools', { min: 1, integer: true }) ?? 20 });
  },
  'tenant-limit': (args, path) => {
    onlyArgs(args, path, ['maxJobs', 'maxAccelerators']);
    const maxJobs = numberArg(args, path, 'maxJobs', { min: 0, integer: true });
    const maxAccelerators = numberArg(args, path, 'maxAccelerators', { min: 0, integer: true });
    return tenantLimit({
      ...(maxJobs !== undefined ? { maxJobs } : {}),
      ...(maxAccelerators !== undefined ? { maxAccelerators } : {}),
    });
  },
};

const is = {
  queueSort: (p: Plugin): p is QueueSortPlugin => 'compare' in p,
  preFilter: (p: Plugin): p is PreFilterPlugin => 'preFilter' in p,
  siteFilter: (p: Plugin): p is SiteFilterPlugin => 'filterSite' in p,
  filter: (p: Plugin): p is FilterPlugin => 'filter' in p,
  postFilter: (p: Plugin): p is PostFilterPlugin => 'postFilter' in p,
  score: (p: Plugin): p is ScorePlugin => 'measure' in p,
  reserve: (p: Plugin): p is ReservePlugin => 'reserve' in p,
  permit: (p: Plugin): p is PermitPlugin => 'permit' in p,
};

export const DEFAULT_OPTIMIZER: OptimizerSettings = {
  mode: 'off',
  minJobs: 20,
  maxJobs: 10_000,
  optionsPerJob: 8,
  timeLimitS: 1.5,
  gapPct: 1,
  slotS: 3600,
  horizonS: 24 * 3600,
};

function create(ref: PluginRef, path: readonly (string | number)[]): Plugin {
  const factory = REGISTRY[ref.name];
  if (!factory) {
    throw new ProfileError(
      [...path, 'name'],
      `unknown plug-in ${ref.name} (known: ${Object.keys(REGISTRY).sort().join(', ')})`,
    );
  }
  return factory(ref.args ?? {}, [...path, 'args']);
}

/**
 * Builds a profile from its spec, validating everything up front (as Kubernetes' NewFramework
 * does): unknown plug-ins, misplaced ones, bad arguments and settings fail here, not in cycle 10,000.
 */
export function buildProfile(spec: ProfileSpec): Profile {
  const sortRef = typeof spec.queueSort === 'string' ? { name: spec.queueSort } : spec.queueSort;
  const queueSort = create(sortRef, ['queueSort']);
  if (!is.queueSort(queueSort)) throw new ProfileError(['queueSort'], `${sortRef.name} is not a queue-sort plug-in`);

  const plugins = spec.plugins.map((ref, i) => {
    const p = create(ref, ['plugins', i]);
    if (is.score(p))
      throw new ProfileError(['plugins', i, 'name'], `${ref.name} is a score plug-in: list it under scores`);
    if (is.queueSort(p))
      throw new ProfileError(['plugins', i, 'name'], `${ref.name} is a queue-sort plug-in: set it as queueSort`);
    if (ref.weight !== undefined) throw new ProfileError(['plugins', i, 'weight'], 'only score plug-ins have a weight');
    return p;
  });
  const seen = new Set<string>();
  spec.plugins.forEach((ref, i) => {
    if (seen.has(ref.name)) throw new ProfileError(['plugins', i, 'name'], `${ref.name} is listed twice`);
    seen.add(ref.name);
  });

  const scores = spec.scores.map((ref, i) => {
    const p = create(ref, ['scores', i]);
    if (!is.score(p)) throw new ProfileError(['scores', i, 'name'], `${ref.name} is not a score plug-in`);
    const weight = ref.weight ?? 1;
    if (!(weight > 0)) throw new ProfileError(['scores', i, 'weight'], 'must be > 0');
    return { plugin: p, weight };
  });
  if (scores.length === 0) throw new ProfileError(['scores'], 'at least one score plug-in is needed');

  const reservations = spec.backfill?.reservations ?? 16;
  if (!Number.isInteger(reservations) || reservations < 0) {
    throw new ProfileError(['backfill', 'reservations'], 'must be a whole number ≥ 0');
  }
  const queueDepth = spec.queueDepth ?? Number.POSITIVE_INFINITY;
  if (!(queueDepth >= 1) || (Number.isFinite(queueDepth) && !Number.isInteger(queueDepth))) {
    throw new ProfileError(['queueDepth'], 'must be a whole number ≥ 1');
  }
  const objectiveWeights: { -readonly [K in keyof ObjectiveWeights]: number } = { cost: 1, carbon: 1, time: 1 };
  for (const key of ['cost', 'carbon', 'time'] as const) {
    const w = spec.objectiveWeights?.[key];
    if (w === undefined) continue;
    if (!(typeof w === 'number' && w >= 0 && Number.isFinite(w))) {
      throw new ProfileError(['objectiveWeights', key], 'must be a number ≥ 0');
    }
    objectiveWeights[key] = w;
  }
  if (objectiveWeights.cost + objectiveWeights.carbon + objectiveWeights.time <= 0) {
    throw new ProfileError(['objectiveWeights'], 'at least one objective must count');
  }

  let timeShift: Profile['timeShift'];
  if (spec.timeShift !== false) {
    const horizonH = spec.timeShift?.horizonH ?? 24;
    const stepS = spec.timeShift?.stepS ?? 3600;
    if (!(horizonH > 0)) throw new ProfileError(['timeShift', 'horizonH'], 'must be > 0');
    if (!(stepS >= 60)) throw new ProfileError(['timeShift', 'stepS'], 'must be ≥ 60');
    timeShift = { horizonS: horizonH * 3600, stepS };
  }
  const optimizer = { ...DEFAULT_OPTIMIZER, ...spec.optimizer };
  for (const [key, min] of [
    ['minJobs', 1],
    ['maxJobs', 1],
    ['optionsPerJob', 1],
    ['timeLimitS', 0.01],
    ['gapPct', 0],
    ['slotS', 60],
    ['horizonS', 60],
  ] as const) {
    if (!(optimizer[key] >= min)) throw new ProfileError(['optimizer', key], `must be ≥ ${min}`);
  }

  const shedOrder = spec.demandResponse?.shedOrder ?? DEFAULT_SHED_ORDER;
  shedOrder.forEach((g, i) => {
    if (!(SHED_GROUPS as readonly string[]).includes(g)) {
      throw new ProfileError(
        ['demandResponse', 'shedOrder', i],
        `unknown group ${g} (known: ${SHED_GROUPS.join(', ')})`,
      );
    }
    if (shedOrder.indexOf(g) !== i) throw new ProfileError(['demandResponse', 'shedOrder', i], `${g} is listed twice`);
  });

  return {
    name: spec.name,
    queueSort,
    preFilters: plugins.filter(is.preFilter),
    siteFilters: plugins.filter(is.siteFilter),
    filters: plugins.filter(is.filter),
    postFilters: plugins.filter(is.postFilter),
    scores,
    reserves: plugins.filter(is.reserve),
    permits: plugins.filter(is.permit),
    carbonSignal: spec.carbonSignal ?? 'location-based',
    objectiveWeights,
    reservations,
    queueDepth,
    ...(timeShift ? { timeShift } : {}),
    explain: spec.explain ?? 'full',
    optimizer,
    shedOrder: shedOrder as readonly ShedGroup[],
  };
}

/** The profile the service and the simulator use unless told otherwise. */
export const DEFAULT_PROFILE_SPEC: ProfileSpec = {
  name: 'default',
  queueSort: {
    name: 'fair-las',
    args: {
      thresholdsS: [300, 3000, 30_000, 300_000, 3_000_000],
      starveAfterS: 604_800,
      starveFactor: 4,
      minRunS: 600,
    },
  },
  plugins: [
    { name: 'site-affinity' },
    { name: 'accelerator-type' },
    { name: 'quota' },
    { name: 'capacity-fit' },
    { name: 'power-cap' },
    { name: 'deadline' },
    { name: 'budget' },
    { name: 'preemption', args: { minWaitS: 600 } },
    { name: 'preempt-by-order' },
  ],
  scores: [{ name: 'cost-score' }, { name: 'carbon-score' }, { name: 'time-score' }],
  carbonSignal: 'location-based',
  objectiveWeights: { cost: 2, carbon: 1, time: 2 },
  backfill: { reservations: 16 },
  timeShift: { horizonH: 24, stepS: 3600 },
  optimizer: { mode: 'on-demand', optionsPerJob: 8, timeLimitS: 1.5, gapPct: 1 },
  explain: 'full',
};

let cachedDefault: Profile | undefined;

export function defaultProfile(): Profile {
  cachedDefault ??= buildProfile(DEFAULT_PROFILE_SPEC);
  return cachedDefault;
}
