import { z } from 'zod';

/**
 * The ranges every input shares. Each number, list, text and mapping of every input (job spec,
 * network file, scenario, profile, policy, API bodies) has a bound, so that no input can make the
 * engine's arithmetic overflow or its loops run away: the largest cost an accepted job can have is
 * pool size × duration × price, below 2^53 fen, so each job's cost is exact in fen (see
 * `worstCaseCostFen` and docs/limits.md, which is generated from the schemas and checked by a test).
 */
export const LIMITS = {
  /** Text read from a file or a request body. */
  inputBytes: 1024 * 1024,
  /** A network, scenario, profile or policy file. */
  fileBytes: 64 * 1024 * 1024,
  /** A trace file (CSV, gzip or not). */
  traceBytes: 512 * 1024 * 1024,
  /** YAML: aliases (`*name`) in one document, and nesting of mappings and lists. */
  yamlAliases: 100,
  yamlDepth: 64,

  nameChars: 128,
  textChars: 4096,

  /** One year and a day: the longest estimate and the furthest deadline. */
  durationS: 366 * 86_400,
  acceleratorsPerMember: 65_536,
  gang: 65_536,
  acceleratorTypes: 16,
  anyOf: 16,
  datasetsPerJob: 64,
  /** 100 PB. */
  datasetGb: 100_000_000,
  replicas: 64,
  tags: 32,
  /** More than the world's population: a count of data subjects. */
  individuals: 10_000_000_000,
  objectiveWeight: 100,
  /** One hundred billion CNY. */
  budgetCny: 100_000_000_000,
  priority: 1000,
  /** Retries of a failed job, and the longest back-off and checkpoint interval (a week). */
  maxRestarts: 100,
  retryOnEntries: 32,
  backoffS: 86_400,
  checkpointIntervalS: 7 * 86_400,

  sites: 10_000,
  poolsPerSite: 64,
  poolAccelerators: 1_000_000,
  nodeAccelerators: 1_024,
  priceCnyPerAcceleratorHour: 1000,
  tariffCnyPerKwh: 20,
  powerCapMw: 100_000,
  /** A power budget or ceiling (kW): 100 GW. */
  powerKw: 100_000_000,
  /** Contracted windows of one budget. */
  powerWindows: 10_000,
  /** A grid event's window (a day) and how far ahead it may start (a week). */
  gridEventS: 86_400,
  gridNoticeS: 7 * 86_400,
  pue: 3,
  gridCarbonKgPerKwh: 2,
  links: 100_000,
  latencyMs: 10_000,
  bandwidthGbps: 1_000_000,
  priceCnyPerGb: 1000,
  catalogEntries: 100_000,
  clusterQueues: 10_000,
  programmes: 1000,
  acceleratorTdpW: 10_000,
  acceleratorTflops: 1_000_000,
  acceleratorMemoryGb: 100_000,

  profilePlugins: 64,
  policyRules: 1000,
  /** Nodes (all, any, not and matchers) of one rule's conditions, and their nesting. */
  conditionNodes: 1000,
  conditionDepth: 16,
  conditionValues: 1000,
  regexChars: 256,

  scenarioJobs: 10_000_000,
  scenarioVariants: 64,
  scenarioPolicies: 32,
} as const;

/** A number in [min, max]. */
export function num(min: number, max: number) {
  return z.number().min(min).max(max);
}

/** A number in (0, max]. */
export function positive(max: number) {
  return z.number().positive().max(max);
}

/** A whole number in [min, max]. */
export function int(min: number, max: number) {
  return z.number().int('must be a whole number').min(min).max(max);
}

/** Text of at most `max` characters (default: a name's). */
export function text(max: number = LIMITS.nameChars) {
  return z.string().max(max);
}

/** A list of at most `max` items. */
export function list<T extends z.ZodType>(item: T, max: number) {
  return z.array(item).max(max);
}

/** A mapping of at most `max` entries, keys of at most `keyChars` characters. */
export function mapOf<V extends z.ZodType>(value: V, max: number, key: z.ZodType<string> = text()) {
  return z
    .record(key, value)
    .refine((m) => Object.keys(m).length <= max, `must have ≤ ${max} entries`)
    .meta({ maxProperties: max });
}

/**
 * The dearest job any accepted input can describe, in fen: every accelerator of the largest pool
 * for the longest duration at the highest price, plus its energy at the highest tariff and PUE, plus
 * moving every data set at the highest transfer price. Below 2^53: each job's cost is exact in fen.
 */
export function worstCaseCostFen(): number {
  const hours = LIMITS.durationS / 3600;
  const accelerators = LIMITS.poolAccelerators;
  const compute = accelerators * hours * LIMITS.priceCnyPerAcceleratorHour;
  const energyKwh = (accelerators * LIMITS.acceleratorTdpW * hours * LIMITS.pue) / 1000;
  const energy = energyKwh * LIMITS.tariffCnyPerKwh;
  const transfer = LIMITS.datasetsPerJob * LIMITS.datasetGb * LIMITS.priceCnyPerGb;
  return Math.ceil((compute + energy + transfer) * 100);
}
