// The public API of @suanli/engine. This is the package's only barrel.

export { type DecideResult, decide, quote } from './decide.ts';
export type { AcceleratorSpec } from './domain/accelerator.ts';
export type { Dataset } from './domain/dataset.ts';
export {
  type AcceleratorOption,
  acceleratorsNeeded,
  JOB_KINDS,
  type Job,
  type JobKind,
  type ObjectiveWeights,
} from './domain/job.ts';
export type { Link, LinkModel, Network } from './domain/network.ts';
export type {
  Decision,
  Estimate,
  Explanation,
  ObjectiveScores,
  Placement,
  SiteVerdict,
} from './domain/placement.ts';
export type { Jurisdiction, Pool, Site } from './domain/site.ts';
export type { Allocation, Snapshot } from './domain/snapshot.ts';
export { SECTORS, type Sector, type Tenant } from './domain/tenant.ts';
export { formatDuration, formatNumber } from './framework/format.ts';
export type {
  PoolFilterPlugin,
  Profile,
  QueueSortPlugin,
  ScorePlugin,
  SiteFilterPlugin,
} from './framework/plugin.ts';
export { prepareNetwork } from './framework/prepared-network.ts';
export { defaultProfile } from './framework/profile.ts';
export {
  ACTIVITY_FRACTION,
  facilityEnergyKwh,
  HOST_OVERHEAD_FRACTION,
  IDLE_FRACTION,
  itPowerKw,
} from './models/energy.ts';
export { FIBRE_MS_PER_KM, greatCircleKm, modelLatencyMs } from './models/geo.ts';
export { type HourlyProfile, hourlyProfile, meanOver, valueAt } from './models/hourly-profile.ts';
export { type Rng, seededRng } from './rng.ts';
