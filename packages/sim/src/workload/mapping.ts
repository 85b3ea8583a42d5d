import type { AcceleratorOption, Dataset, Job, JobKind, Network, Sector } from '@suanli/engine';
import type { SimJob } from '../sim-job.ts';
import { hash32, unit } from './hash.ts';
import type { TraceRow } from './trace.ts';

export interface MappingOptions {
  /** Seed of the deterministic hash: another seed gives another (equally valid) mapping. */
  readonly seed: number;
  /** Sites jobs come from (their owners' location); default: demand centres and the east side. */
  readonly origins?: readonly string[];
  /** Run each job only at the site its trace queue names (a trace replayed on its own clusters). */
  readonly pinToQueue?: boolean;
  /** Submit times are multiplied by this: 0.1 puts ten days of arrivals into one. */
  readonly timeScale?: number;
  /** Share of jobs that read one of the network's datasets (default 0.2). */
  readonly datasetShare?: number;
  /** Share of fine-tune and batch-inference jobs with a deadline, which may run in cheaper hours (default 0). */
  readonly deadlineShare?: number;
}

export interface MappedWorkload {
  readonly jobs: SimJob[];
  /** Rows left out, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
}

/** Accelerator types each kind of job asks for, in order of preference, where the network has them. */
export const PREFERRED_TYPES: Readonly<Record<JobKind, readonly string[]>> = {
  train: ['H800', 'H100', 'A100', 'Ascend910B'],
  finetune: ['A100', 'Ascend910B', 'H800', 'H100'],
  'batch-infer': ['H20', 'L40S', 'Ascend910B', 'A100'],
  serve: ['H20', 'L40S', 'A100'],
};

/** How a trace job is classified: by size and run time. */
export function kindOf(gpus: number, durationS: number): JobKind {
  if (gpus >= 8 && durationS >= 4 * 3600) return 'train';
  if (durationS <= 1800) return 'batch-infer';
  return 'finetune';
}

/**
 * Turns trace rows into jobs for a network, deterministically (a hash of each row's own fields,
 * never its position): the tenant from the row's user, or its queue split into teams (so a team stays one tenant), the
 * origin from the tenant's team, the kind from size and run time, accelerator choices from the
 * kind and the network's types, and for some jobs an input dataset. Rows with no GPU are left out;
 * a fraction of one GPU (the Alibaba trace) asks for one.
 */
export function mapTrace(rows: readonly TraceRow[], network: Network, options: MappingOptions): MappedWorkload {
  const seed = options.seed;
  const timeScale = options.timeScale ?? 1;
  const datasetShare = options.datasetShare ?? 0.2;
  const deadlineShare = options.deadlineShare ?? 0;
  const siteIds = new Set(network.sites.map((s) => s.id));
  const origins = options.origins ?? defaultOrigins(network);
  const types = new Set(network.sites.flatMap((s) => s.pools.map((p) => p.accelerator)));
  const byCapacity = capacityByType(network);
  const skipped: Record<string, number> = {};
  const skip = (why: string) => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  const jobs: SimJob[] = [];
  for (const row of rows) {
    if (row.gpus <= 0) {
      skip('no GPU (CPU-only)');
      continue;
    }
    if (row.durationS <= 0) {
      skip('zero run time');
      continue;
    }
    const gpus = Math.max(1, Math.round(row.gpus));
    const team = row.user ?? (row.queue ? `${row.queue}/${hash32(`team:${row.id}`, seed) % TEAMS_PER_QUEUE}` : row.id);
    const tenant = tenantFor(network, team, seed);
    const kind = kindOf(gpus, row.durationS);
    const pinned = options.pinToQueue && row.queue !== undefined && siteIds.has(row.queue) ? row.queue : undefined;
    const choices =
      row.gpuType && types.has(row.gpuType) ? [row.gpuType] : acceleratorChoices(kind, types, byCapacity, row.id, seed);
    if (choices.length === 0) {
      skip('no accelerator type');
      continue;
    }
    const gang = gpus > 8 && gpus % 8 === 0 ? gpus / 8 : 1;
    const perMember = gpus / gang;
    const acceleratorOptions: AcceleratorOption[] = choices.map((accelerator) => ({ accelerator, perMember }));
    const submittedAtS = row.submitS * timeScale;
    const dataset = datasetFor(network.datasets, row.id, seed, datasetShare);
    const flexible =
      (kind === 'finetune' || kind === 'batch-infer') && unit(`deadline:${row.id}`, seed) < deadlineShare;
    const origin =
      pinned ?? (origins.length > 0 ? origins[hash32(`origin:${team}`, seed) % origins.length] : undefined);
    const job: Job = {
      id: row.id,
      name: `${kind}-${row.id.slice(0, 8)}`,
      tenant: tenant.id,
      kind,
      options: acceleratorOptions,
      gang,
      durationS: row.durationS,
      ...(flexible ? { deadlineS: deadlineFor(network, choices, submittedAtS, row.durationS) } : {}),
      datasets: dataset ? [dataset] : [],
      objective: { cost: 1, carbon: 1, time: 1 },
      priority: 0,
      preemptible: true,
      submittedAtS,
      ...(origin !== undefined ? { originSiteId: origin } : {}),
      ...(pinned ? { sites: [pinned] } : {}),
    };
    jobs.push({ job, sector: tenant.sector, user: team });
  }
  return { jobs, skipped };
}

/** A trace without users (ITP) has only queues: each queue's jobs are split into this many teams, by a hash of the job id. */
export const TEAMS_PER_QUEUE = 16;

/** Demand centres and east-side sites; every site when the network marks none. */
export function defaultOrigins(network: Network): string[] {
  const east = network.sites.filter((s) => s.kind === 'demand-centre' || s.side === 'east').map((s) => s.id);
  return east.length > 0 ? east : network.sites.map((s) => s.id);
}

/** Sector of a tenant the network does not list: reports leave per-sector figures out when every job has it. */
export const NO_SECTOR = 'unassigned';

/**
 * The network's tenant for a team; a tenant of its own when the network lists none, in no sector
 * (a trace does not say, and none is made up).
 */
export function tenantFor(
  network: Network,
  team: string,
  seed: number,
): { id: string; sector: Sector | typeof NO_SECTOR } {
  const h = hash32(`tenant:${team}`, seed);
  const t = network.tenants[h % Math.max(1, network.tenants.length)];
  if (t) return { id: t.id, sector: t.sector };
  return { id: team, sector: NO_SECTOR };
}

function capacityByType(network: Network): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of network.sites) for (const p of s.pools) m.set(p.accelerator, (m.get(p.accelerator) ?? 0) + p.count);
  return m;
}

/**
 * The kind's preferred types that the network has, the first chosen by hash (weighted by how many
 * the network has) and the others as substitutes; all types by capacity when none is preferred.
 */
export function acceleratorChoices(
  kind: JobKind,
  types: ReadonlySet<string>,
  byCapacity: ReadonlyMap<string, number>,
  id: string,
  seed: number,
): string[] {
  let list = PREFERRED_TYPES[kind].filter((t) => types.has(t));
  if (list.length === 0) list = [...types].sort((a, b) => (byCapacity.get(b) ?? 0) - (byCapacity.get(a) ?? 0));
  if (list.length <= 1) return list;
  const total = list.reduce((n, t) => n + (byCapacity.get(t) ?? 0), 0);
  let pick = unit(`type:${id}`, seed) * total;
  let first = 0;
  for (let i = 0; i < list.length; i++) {
    pick -= byCapacity.get(list[i] as string) ?? 0;
    if (pick < 0) {
      first = i;
      break;
    }
  }
  return [list[first] as string, ...list.filter((_, i) => i !== first)];
}

/**
 * The deadline of a flexible job: 12 hours, or three times its run on the slowest type it accepts,
 * whichever is longer — a deadline its team could expect to meet, with room to wait for cheaper hours.
 */
export function deadlineFor(
  network: Network,
  choices: readonly string[],
  submittedAtS: number,
  durationS: number,
): number {
  const tflops = (t: string | undefined) => network.accelerators.find((a) => a.type === t)?.bf16DenseTflops ?? 0;
  const ref = tflops(choices[0]);
  const slowest = Math.min(...choices.map(tflops).filter((x) => x > 0));
  const slowdown = ref > 0 && Number.isFinite(slowest) ? Math.max(1, ref / slowest) : 1;
  return submittedAtS + Math.max(12 * 3600, 3 * durationS * slowdown);
}

function datasetFor(datasets: readonly Dataset[], id: string, seed: number, share: number): Dataset | undefined {
  if (datasets.length === 0 || unit(`data:${id}`, seed) >= share) return undefined;
  return datasets[hash32(`which:${id}`, seed) % datasets.length];
}
