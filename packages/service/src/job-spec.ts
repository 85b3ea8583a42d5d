import {
  type AcceleratorOption,
  DATA_LEVELS,
  type DataLevel,
  type Dataset,
  DEFAULT_RECOVERY,
  durationOnS,
  EXPOSURES,
  FAILOVER,
  FAILURE_CLASSES,
  type FailureClass,
  JOB_KINDS,
  type Job,
  minCapW,
  type Network,
  type ObjectiveWeights,
  PERSONAL_INFO,
  type PersonalInfo,
  prepareNetwork,
  SECTORS,
} from '@suanli/engine';
import { z } from 'zod';
import { int, LIMITS, list, mapOf, num, positive, text } from './limits.ts';
import { readServiceSection, serviceInputSchema } from './service-spec.ts';
import { type FieldPath, fieldError, type ParsedText, validate } from './text-input.ts';

const name = text()
  .min(1)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dots, dashes or underscores');
const acceleratorMap = mapOf(int(1, LIMITS.acceleratorsPerMember), LIMITS.acceleratorTypes, text(64)).refine(
  (m) => Object.keys(m).length > 0,
  'must name at least one accelerator type, like H100: 8',
);
const weight = num(0, LIMITS.objectiveWeight);
/** ISO 8601 with a time and an offset, as the docs show: 2026-11-24T08:00:00+08:00. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The job spec as users write it (YAML or JSON). Names follow SkyPilot and Kueue where the meaning
 * matches: `resources.accelerators` (several keys mean "any of these"), `resources.any_of`.
 */
export const jobSpecInputSchema = z.strictObject({
  name,
  kind: z.enum(JOB_KINDS),
  tenant: name,
  resources: z
    .strictObject({
      accelerators: acceleratorMap.optional(),
      any_of: list(z.strictObject({ accelerators: acceleratorMap }), LIMITS.anyOf)
        .min(1)
        .optional(),
      /** Also accept the other types of the same software stack, the duration scaled by throughput. */
      substitute: z.boolean().optional(),
    })
    .refine((r) => (r.accelerators === undefined) !== (r.any_of === undefined), 'give either accelerators or any_of'),
  gang: int(1, LIMITS.gang).optional(),
  durationS: num(1, LIMITS.durationS),
  deadline: text(40)
    .refine(
      (s) => (ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s))) || isoDurationS(s) !== undefined,
      'must be a date and time with an offset, like 2026-11-24T08:00:00+08:00, or a time from submission, like PT16H',
    )
    .optional(),
  datasets: list(
    z.strictObject({
      name: text(256).min(1),
      sizeGb: positive(LIMITS.datasetGb).optional(),
      sites: list(text(), LIMITS.replicas).min(1).optional(),
      /** Classification of a data set not in the catalog (a catalog entry's own cannot be lowered). */
      level: z.enum(DATA_LEVELS).optional(),
      pi: z.enum(PERSONAL_INFO).optional(),
      individuals: int(0, LIMITS.individuals).optional(),
      sensitiveIndividuals: int(0, LIMITS.individuals).optional(),
      tags: list(text(64), LIMITS.tags).optional(),
      checksum: text(71)
        .regex(/^(sha256:)?[0-9a-f]{64}$/, 'a SHA-256 digest: 64 hex digits')
        .optional(),
    }),
    LIMITS.datasetsPerJob,
  ).optional(),
  objective: z.strictObject({ cost: weight.optional(), carbon: weight.optional(), time: weight.optional() }).optional(),
  budget: z.strictObject({ maxCny: positive(LIMITS.budgetCny) }).optional(),
  priority: int(-LIMITS.priority, LIMITS.priority).optional(),
  /** A named priority of the network (Kueue's WorkloadPriorityClass): critical, high, normal, low. */
  priorityClass: text(64).optional(),
  /** Whether higher-priority jobs may stop it; default: all kinds but serve. */
  preemptible: z.boolean().optional(),
  /** Buy on the market: `spot` (the cheapest open spot offers, preemptible) or a reserved contract. */
  market: z.union([z.literal('spot'), z.strictObject({ contract: text(128).min(1) })]).optional(),
  /** The registry model the job trains, fine-tunes or serves. */
  model: text().optional(),
  /** Who a service is for: the public in the mainland, internal use (default), or research. */
  exposure: z.enum(EXPOSURES).optional(),
  /** The sector a service serves. */
  servesSector: z.enum(SECTORS).optional(),
  /** The labeling middleware (AIGC labels) is on. */
  labeling: z.boolean().optional(),
  /** A physician signs off outputs (medical services). */
  physicianSignOff: z.boolean().optional(),
  /** What to do when a run fails; each field defaults to the job kind's (docs/job-spec.md). */
  recovery: z
    .strictObject({
      maxRestarts: int(0, LIMITS.maxRestarts).optional(),
      /** Failure classes, and exit codes of the program (1..255) that are retried too. */
      retryOn: list(z.union([z.enum(FAILURE_CLASSES), int(1, 255)]), LIMITS.retryOnEntries).optional(),
      failover: z.enum(FAILOVER).optional(),
      backoffS: num(0, LIMITS.backoffS).optional(),
    })
    .optional(),
  /** An online service (kind serve): replicas scaled to its demand under an SLO. */
  service: serviceInputSchema.optional(),
  /** Run under a power cap per accelerator (W): slower, and drawing less (docs/design/power.md). */
  powerCapW: int(50, LIMITS.acceleratorTdpW).optional(),
  /** How often the job writes a checkpoint, and how big one is: a restart resumes from the last. */
  checkpoint: z
    .strictObject({
      intervalS: num(60, LIMITS.checkpointIntervalS),
      sizeGb: positive(LIMITS.datasetGb),
      /** The site checkpoints are written to; absent: where the job runs (lost with it when that site is). */
      siteId: text(64).optional(),
    })
    .optional(),
});

export type JobSpecInput = z.infer<typeof jobSpecInputSchema>;

/** A validated, normalised job spec: the engine's job without its id and submission time. */
export type JobSpec = Omit<Job, 'id' | 'submittedAtS'> & {
  /** Bought on the market: spot, or a contract (resolved into `market` terms when submitted). */
  readonly order?: MarketOrder;
};

/**
 * What a job asks of the market, as its record keeps it: spot, or a contract with the promise the
 * contract makes on its start (its SLA) and the penalty that settlement credits when it is missed.
 */
export type MarketOrder =
  | { readonly kind: 'spot' }
  | {
      readonly kind: 'contract';
      readonly contract: string;
      readonly startWithinS?: number;
      readonly penaltyFen?: number;
      readonly windowFromS?: number;
    };

/**
 * Checks a parsed spec against the schema and against the network (accelerator types, pool sizes,
 * sites and datasets), and normalises it. Throws a SuanliError naming the first bad field.
 */
export function readJobSpec(parsed: ParsedText, network: Network, nowS: number): JobSpec {
  const input = validate(jobSpecInputSchema, parsed);
  const net = prepareNetwork(network);
  const fail = (code: Parameters<typeof fieldError>[1], path: FieldPath, message: string) =>
    fieldError(parsed, code, path, message);

  const known = () => [...net.accelerators.keys()].sort().join(', ');
  const options: AcceleratorOption[] = [];
  // The run time on an option, scaled by throughput from the first one (accelerator equivalence).
  const durationOn = (o: AcceleratorOption) =>
    options.length === 0
      ? input.durationS
      : durationOnS({ durationS: input.durationS, options }, o, (t) => net.accelerators.get(t));
  const addOptions = (map: Readonly<Record<string, number>>, base: FieldPath) => {
    for (const [accelerator, perMember] of Object.entries(map)) {
      if (!net.accelerators.has(accelerator)) {
        throw fail(
          'UNKNOWN_ACCELERATOR',
          [...base, accelerator],
          `unknown accelerator type ${accelerator} (known: ${known()})`,
        );
      }
      const option = { accelerator, perMember };
      // Bounded by construction: no option may run longer than the longest estimate accepted.
      const days = durationOn(option) / 86_400;
      if (days > LIMITS.durationS / 86_400) {
        throw fail(
          'INVALID_FIELD',
          [...base, accelerator],
          `on ${perMember} ${accelerator} this job would run ${Math.round(days)} days (scaled by throughput from the first choice), more than ${LIMITS.durationS / 86_400}`,
        );
      }
      options.push(option);
    }
  };
  if (input.resources.accelerators) addOptions(input.resources.accelerators, ['resources', 'accelerators']);
  for (const [i, alt] of (input.resources.any_of ?? []).entries()) {
    addOptions(alt.accelerators, ['resources', 'any_of', i, 'accelerators']);
  }

  if (input.resources.substitute) {
    // Same software stack only: CUDA code does not run on CANN without a port.
    const listed = new Set(options.map((o) => o.accelerator));
    const extra: AcceleratorOption[] = [];
    for (const o of options) {
      const stack = net.accelerators.get(o.accelerator)?.stack;
      const same = [...net.accelerators.values()]
        .filter((a) => a.stack === stack && !listed.has(a.type) && net.largestPoolByType.has(a.type))
        .sort((a, b) => b.bf16DenseTflops - a.bf16DenseTflops || (a.type < b.type ? -1 : 1));
      for (const a of same) {
        const option = { accelerator: a.type, perMember: o.perMember };
        if (durationOn(option) > LIMITS.durationS) continue;
        listed.add(a.type);
        extra.push(option);
      }
    }
    options.push(...extra);
  }

  const gang = input.gang ?? 1;
  const fits = options.some((o) => o.perMember * gang <= (net.largestPoolByType.get(o.accelerator) ?? 0));
  if (!fits) {
    const parts = options.map((o) => {
      const largest = net.largestPoolByType.get(o.accelerator) ?? 0;
      const need = o.perMember * gang;
      return `${need} ${o.accelerator}${gang > 1 ? ` (${gang} × ${o.perMember})` : ''} but the largest ${o.accelerator} pool has ${largest}`;
    });
    const path: FieldPath = input.gang !== undefined ? ['gang'] : ['resources'];
    throw fail('GANG_TOO_LARGE', path, `needs ${parts.join('; or ')}: a gang is placed whole in one pool`);
  }

  const datasets: Dataset[] = (input.datasets ?? []).map((d, i) => {
    // The catalog entry by name, or by content: a renamed copy of a catalog data set is that data set.
    const checksum = d.checksum?.replace(/^sha256:/, '');
    const byName = network.datasets.find((c) => c.name === d.name);
    const byContent = checksum !== undefined ? network.datasets.find((c) => c.checksum === checksum) : undefined;
    // Rules and ownership key on the content: a name may not hide another data set's checksum.
    if (byName && checksum !== undefined && byName.checksum !== undefined && byName.checksum !== checksum) {
      throw fail(
        'INVALID_FIELD',
        ['datasets', i, 'checksum'],
        byContent
          ? `is the checksum of catalog data set ${byContent.name}, not of ${d.name}: name the data set you use`
          : `is not the checksum of catalog data set ${d.name}: leave it out, or give the data set another name`,
      );
    }
    const catalog = byName ?? byContent;
    const sites = d.sites ?? catalog?.replicas;
    const sizeGb = d.sizeGb ?? catalog?.sizeGb;
    if (!sites || sizeGb === undefined) {
      throw fail(
        'UNKNOWN_DATASET',
        ['datasets', i, 'name'],
        `unknown dataset ${d.name}: give its sizeGb and sites, or use one of the catalog (${network.datasets.map((c) => c.name).join(', ') || 'empty'})`,
      );
    }
    sites.forEach((s, j) => {
      if (!net.siteById.has(s)) {
        throw fail('UNKNOWN_SITE', ['datasets', i, 'sites', j], `unknown site ${s}`);
      }
    });
    return classified(d, checksum, catalog, sizeGb, sites);
  });
  if (input.service && input.kind !== 'serve') {
    throw fail('INVALID_FIELD', ['service'], 'a service section is for kind serve');
  }
  const service = input.service
    ? readServiceSection(input.service, network, options, (path, code, message) => fail(code, path, message))
    : undefined;
  if (input.powerCapW !== undefined) {
    // Every accepted accelerator type must take the cap (a device has a least power limit).
    for (const [k, o] of options.entries()) {
      const spec = net.accelerators.get(o.accelerator);
      if (spec && input.powerCapW < minCapW(spec)) {
        throw fail(
          'INVALID_FIELD',
          ['powerCapW'],
          `is below the least cap the ${spec.type} takes (${minCapW(spec)} W; choice ${k + 1})`,
        );
      }
    }
  }
  const checkpointSite = input.checkpoint?.siteId;
  if (checkpointSite !== undefined && !net.siteById.has(checkpointSite)) {
    throw fail('UNKNOWN_SITE', ['checkpoint', 'siteId'], `unknown site ${checkpointSite}`);
  }

  if (input.model !== undefined && !(network.models ?? []).some((m) => m.id === input.model)) {
    throw fail(
      'UNKNOWN_MODEL',
      ['model'],
      `unknown model ${input.model} (registered: ${(network.models ?? []).map((m) => m.id).join(', ') || 'none'})`,
    );
  }

  const objective: ObjectiveWeights = {
    cost: input.objective?.cost ?? 1,
    carbon: input.objective?.carbon ?? 1,
    time: input.objective?.time ?? 1,
  };
  if (objective.cost + objective.carbon + objective.time <= 0) {
    throw fail('INVALID_FIELD', ['objective'], 'at least one weight must be greater than 0');
  }

  if (network.tenants.length > 0 && !network.tenants.some((t) => t.id === input.tenant)) {
    throw fail(
      'UNKNOWN_TENANT',
      ['tenant'],
      `unknown tenant ${input.tenant} (known: ${network.tenants.map((t) => t.id).join(', ')})`,
    );
  }

  if (input.priority !== undefined && input.priorityClass !== undefined) {
    throw fail('INVALID_FIELD', ['priorityClass'], 'give either priority or priorityClass, not both');
  }
  let priority = input.priority ?? network.priorityClasses['normal'] ?? 0;
  if (input.priorityClass !== undefined) {
    const value = network.priorityClasses[input.priorityClass];
    if (value === undefined) {
      throw fail(
        'INVALID_FIELD',
        ['priorityClass'],
        `unknown priority class ${input.priorityClass} (known: ${Object.keys(network.priorityClasses).join(', ')})`,
      );
    }
    priority = value;
  }

  let deadlineS: number | undefined;
  if (input.deadline !== undefined) {
    const after = isoDurationS(input.deadline);
    deadlineS = after !== undefined ? nowS + after : Math.floor(Date.parse(input.deadline) / 1000);
    if (deadlineS <= nowS) throw fail('INVALID_FIELD', ['deadline'], 'is in the past');
    if (deadlineS - nowS > LIMITS.durationS) {
      throw fail('INVALID_FIELD', ['deadline'], `must be within ${LIMITS.durationS / 86_400} days of now`);
    }
  }

  return {
    name: input.name,
    kind: input.kind,
    tenant: input.tenant,
    options,
    gang,
    durationS: input.durationS,
    ...(deadlineS !== undefined ? { deadlineS } : {}),
    datasets,
    objective,
    ...(input.budget ? { budgetCny: input.budget.maxCny } : {}),
    priority,
    preemptible: input.preemptible ?? input.kind !== 'serve',
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(input.exposure !== undefined ? { exposure: input.exposure } : {}),
    ...(input.servesSector !== undefined ? { servesSector: input.servesSector } : {}),
    ...(input.labeling !== undefined ? { labeling: input.labeling } : {}),
    ...(input.physicianSignOff !== undefined ? { physicianSignOff: input.physicianSignOff } : {}),
    ...(input.recovery ? { recovery: recoveryPolicy(input.kind, input.recovery) } : {}),
    ...(service ? { service } : {}),
    ...(input.market !== undefined
      ? {
          order:
            input.market === 'spot'
              ? { kind: 'spot' as const }
              : { kind: 'contract' as const, contract: input.market.contract },
        }
      : {}),
    ...(input.powerCapW !== undefined ? { powerCapW: input.powerCapW } : {}),
    ...(input.checkpoint
      ? {
          checkpoint: {
            intervalS: input.checkpoint.intervalS,
            sizeGb: input.checkpoint.sizeGb,
            ...(input.checkpoint.siteId !== undefined ? { siteId: input.checkpoint.siteId } : {}),
          },
        }
      : {}),
  };
}

/** A spec's recovery section over its kind's default: failure classes and exit codes apart. */
function recoveryPolicy(kind: Job['kind'], r: NonNullable<JobSpecInput['recovery']>): NonNullable<Job['recovery']> {
  const base = DEFAULT_RECOVERY[kind];
  const classes = r.retryOn?.filter((x): x is FailureClass => typeof x === 'string');
  const codes = r.retryOn?.filter((x): x is number => typeof x === 'number');
  return {
    maxRestarts: r.maxRestarts ?? base.maxRestarts,
    retryOn: classes ?? base.retryOn,
    retryExitCodes: codes ?? base.retryExitCodes,
    failover: r.failover ?? base.failover,
    backoffS: r.backoffS ?? base.backoffS,
  };
}

/** Seconds of an ISO 8601 duration of days, hours, minutes and seconds (`P1DT12H`, `PT90M`); undefined otherwise. */
export function isoDurationS(text: string): number | undefined {
  const m = /^P(?:(\d{1,4})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,9})S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  const s = d * 86_400 + h * 3600 + min * 60 + sec;
  return s > 0 ? s : undefined;
}

const LEVEL_ORDER: readonly DataLevel[] = DATA_LEVELS;
const PI_ORDER: readonly PersonalInfo[] = PERSONAL_INFO;

/** The stricter of two values (就高从严): a user may raise a catalog data set's classification, never lower it. */
function stricter<T>(order: readonly T[], a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

function classified(
  d: NonNullable<JobSpecInput['datasets']>[number],
  checksum: string | undefined,
  catalog: Dataset | undefined,
  sizeGb: number,
  replicas: readonly string[],
): Dataset {
  const level = stricter(LEVEL_ORDER, catalog?.level, d.level);
  const pi = stricter(PI_ORDER, catalog?.pi, d.pi);
  const max = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);
  const individuals = max(catalog?.individuals, d.individuals);
  const sensitiveIndividuals = max(catalog?.sensitiveIndividuals, d.sensitiveIndividuals);
  const tags = [...new Set([...(catalog?.tags ?? []), ...(d.tags ?? [])])];
  const sum = catalog?.checksum ?? checksum;
  return {
    name: d.name,
    sizeGb,
    replicas,
    ...(level !== undefined ? { level } : {}),
    ...(pi !== undefined ? { pi } : {}),
    ...(individuals !== undefined ? { individuals } : {}),
    ...(sensitiveIndividuals !== undefined ? { sensitiveIndividuals } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(catalog?.owner !== undefined ? { owner: catalog.owner } : {}),
    ...(sum !== undefined ? { checksum: sum } : {}),
  };
}
