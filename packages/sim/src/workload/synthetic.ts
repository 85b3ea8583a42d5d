import { type Job, type JobKind, type Network, type Rng, seededRng } from '@suanli/engine';
import type { SimJob } from '../sim-job.ts';
import { hash32, unit } from './hash.ts';
import { acceleratorChoices, deadlineFor, defaultOrigins, tenantFor } from './mapping.ts';

/**
 * A synthetic workload. The defaults are fitted to the Microsoft ITP 2021 trace (69,351 jobs):
 * log run time mean 9.02 (median 2.3 h) and standard deviation 1.21, split between users (each
 * has a typical run time) and jobs (noise around it), so a user's history predicts their next
 * job about as well as it does in real clusters; accelerator counts as in the trace (83 % one,
 * 10 % eight, up to 64); arrivals ±33 % over the day, as the trace's hourly counts.
 */
export interface SyntheticSpec {
  readonly jobs: number;
  readonly seed: number;
  /** Mean arrivals per hour over the day. */
  readonly arrivalsPerHour: number;
  /** Relative swing of the arrival rate over the day: rate × (1 + a·sin), peak at 15:00 local time. */
  readonly diurnalAmplitude?: number;
  readonly startS?: number;
  /** The users' local time, for the daily cycle (default UTC+8). */
  readonly utcOffsetH?: number;
  /** Distinct users (teams); each keeps one tenant and origin. */
  readonly users?: number;
  /** Share of each kind of job. */
  readonly mix?: Readonly<Record<JobKind, number>>;
  /** Median run time and the spread of log run time between users and within a user. */
  readonly durationMedianS?: number;
  readonly userSigma?: number;
  readonly jobSigma?: number;
  /** Accelerators per job and their probabilities. */
  readonly sizes?: readonly (readonly [count: number, probability: number])[];
  /** Share of fine-tune and batch-inference jobs with a deadline (default 0.3). */
  readonly deadlineShare?: number;
  /** Share of jobs that read a dataset of the network (default 0.2). */
  readonly datasetShare?: number;
  /** Sites users sit at; default: demand centres and the east side. */
  readonly origins?: readonly string[];
}

export const ITP_SIZES: readonly (readonly [number, number])[] = [
  [1, 0.8317],
  [2, 0.0214],
  [4, 0.0342],
  [8, 0.1011],
  [16, 0.0055],
  [32, 0.0051],
  [64, 0.001],
];

export const DEFAULT_MIX: Readonly<Record<JobKind, number>> = {
  train: 0.15,
  finetune: 0.35,
  'batch-infer': 0.4,
  serve: 0.1,
};

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A user's typical log run time per kind: training runs longest, inference shortest. */
const KIND_FACTOR: Readonly<Record<JobKind, number>> = {
  train: 3,
  finetune: 1,
  'batch-infer': 0.3,
  serve: 2,
};

/**
 * Yields synthetic jobs in submit order, lazily: a million jobs cost no memory until run. The same
 * spec and network give the same jobs.
 */
export function* syntheticJobs(spec: SyntheticSpec, network: Network): Generator<SimJob> {
  const rng = seededRng(spec.seed);
  const seed = spec.seed;
  const amplitude = spec.diurnalAmplitude ?? 0.33;
  const utcOffsetH = spec.utcOffsetH ?? 8;
  const users = Math.max(1, spec.users ?? 500);
  const mix = spec.mix ?? DEFAULT_MIX;
  const kinds = (Object.keys(mix) as JobKind[]).filter((k) => (mix[k] ?? 0) > 0);
  const mixTotal = kinds.reduce((n, k) => n + (mix[k] ?? 0), 0);
  const medianS = spec.durationMedianS ?? 8259;
  const userSigma = spec.userSigma ?? 0.9;
  const jobSigma = spec.jobSigma ?? 0.8;
  const sizes = spec.sizes ?? ITP_SIZES;
  const sizeTotal = sizes.reduce((n, [, p]) => n + p, 0);
  const deadlineShare = spec.deadlineShare ?? 0.3;
  const datasetShare = spec.datasetShare ?? 0.2;
  const origins = spec.origins ?? defaultOrigins(network);
  const types = new Set(network.sites.flatMap((s) => s.pools.map((p) => p.accelerator)));
  const byCapacity = new Map<string, number>();
  for (const s of network.sites) {
    for (const p of s.pools) byCapacity.set(p.accelerator, (byCapacity.get(p.accelerator) ?? 0) + p.count);
  }
  const largest = Math.max(0, ...network.sites.flatMap((s) => s.pools.map((p) => p.count)));
  // Users: each has a typical log run time and a typical kind; popularity is Zipf-like.
  const userMu = Array.from({ length: users }, () => Math.log(medianS) + userSigma * normal(rng));
  const userWeight = Array.from({ length: users }, (_, i) => 1 / (i + 1) ** 0.8);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of userWeight) {
    acc += w;
    cumulative.push(acc);
  }

  const meanGapS = 3600 / spec.arrivalsPerHour;
  let t = spec.startS ?? 0;
  for (let i = 0; i < spec.jobs; i++) {
    // Thinning of a Poisson process whose rate follows the day (peak at 15:00).
    for (;;) {
      t += -Math.log(Math.max(rng.next(), 1e-12)) * (meanGapS / (1 + amplitude));
      const hour = (((t / 3600 + utcOffsetH) % 24) + 24) % 24;
      const rate = 1 + amplitude * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
      if (rng.next() * (1 + amplitude) <= rate) break;
    }
    const u = pickCumulative(cumulative, rng.next() * acc);
    const user = `user-${u}`;
    let kindPick = rng.next() * mixTotal;
    let kind = kinds[0] as JobKind;
    for (const k of kinds) {
      kindPick -= mix[k] ?? 0;
      if (kindPick < 0) {
        kind = k;
        break;
      }
    }
    let sizePick = rng.next() * sizeTotal;
    let gpus = sizes[0]?.[0] ?? 1;
    for (const [count, p] of sizes) {
      sizePick -= p;
      if (sizePick < 0) {
        gpus = count;
        break;
      }
    }
    if (kind === 'train' && gpus < 8 && rng.next() < 0.5) gpus = 8;
    if (kind === 'serve') gpus = Math.min(gpus, 8);
    if (largest > 0) gpus = Math.min(gpus, largest);
    const durationS = Math.max(
      60,
      Math.round(Math.exp((userMu[u] as number) + Math.log(KIND_FACTOR[kind]) + jobSigma * normal(rng))),
    );
    const id = `syn-${seed}-${i}`;
    const tenant = tenantFor(network, user, seed);
    const choices = acceleratorChoices(kind, types, byCapacity, id, seed);
    if (choices.length === 0) continue;
    const gang = gpus > 8 && gpus % 8 === 0 ? gpus / 8 : 1;
    const perMember = gpus / gang;
    const submittedAtS = Math.round(t);
    const flexible = (kind === 'finetune' || kind === 'batch-infer') && rng.next() < deadlineShare;
    const dataset =
      network.datasets.length > 0 && unit(`data:${id}`, seed) < datasetShare
        ? network.datasets[hash32(`which:${id}`, seed) % network.datasets.length]
        : undefined;
    const origin = origins.length > 0 ? origins[hash32(`origin:${user}`, seed) % origins.length] : undefined;
    const job: Job = {
      id,
      name: `${kind}-${i}`,
      tenant: tenant.id,
      kind,
      options: choices.map((accelerator) => ({ accelerator, perMember })),
      gang,
      durationS,
      ...(flexible ? { deadlineS: deadlineFor(network, choices, submittedAtS, durationS) } : {}),
      datasets: dataset ? [dataset] : [],
      objective: { cost: 1, carbon: 1, time: 1 },
      priority: 0,
      preemptible: kind !== 'serve',
      submittedAtS,
      ...(origin !== undefined ? { originSiteId: origin } : {}),
    };
    yield { job, sector: tenant.sector, user };
  }
}

function pickCumulative(cumulative: readonly number[], x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
