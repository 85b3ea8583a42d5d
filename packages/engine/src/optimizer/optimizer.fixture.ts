import type { Job } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import type { Allocation } from '../domain/snapshot.ts';
import { Cycle } from '../framework/cycle.ts';
import type { Option } from '../framework/option.ts';
import { Plan } from '../framework/plan.ts';
import type { PreparedPool } from '../framework/prepared-network.ts';
import type { Profile } from '../framework/profile.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from '../framework/registry.ts';
import { A100 as A100_SPEC, flat, H100, job, site, T0 } from '../network.fixture.ts';
import type { Rng } from '../rng.ts';
import { type Column, type PerJobModel, UNPLANNED } from './model.ts';

/**
 * A network whose capacity binds: six sites of one or two small pools, tariffs that differ by hour
 * (so flexible jobs have later starts worth taking), a power cap tight enough to bind on one site.
 */
export function tightNetwork(): Network {
  const peak = Array.from({ length: 24 }, (_, h) => (h < 7 || h >= 23 ? 0.3 : h >= 17 && h < 22 ? 1.2 : 0.7));
  const sites = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) =>
    site(id, {
      lon: 100 + 3 * i,
      gridCarbonKgPerKwh: 0.2 + 0.1 * i,
      tariffCnyPerKwh: i % 2 === 0 ? peak : flat(0.6),
      powerCapMw: i === 2 ? 0.05 : 10,
      pools: [
        {
          id: `${id}-h100`,
          accelerator: 'H100',
          count: 16 + 8 * (i % 3),
          priceCnyPerAcceleratorHour: 9 + i,
          backend: 'sim',
        },
        ...(i % 2 === 1
          ? [
              {
                id: `${id}-a100`,
                accelerator: 'A100',
                count: 16,
                priceCnyPerAcceleratorHour: 5 + i,
                backend: 'sim' as const,
              },
            ]
          : []),
      ],
    }),
  );
  return {
    name: 'tight',
    accelerators: [H100, A100_SPEC],
    sites,
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants: [],
    clusterQueues: [],
    priorityClasses: {},
  };
}

/** Running jobs that end mid-slot, and one still staging that holds its pool from 2.5 h on. */
export function tightAllocations(): Allocation[] {
  const base = { tenant: 't', kind: 'train' as const, priority: 0, preemptible: true };
  return [
    { ...base, jobId: 'r1', poolId: 'a-h100', accelerator: 'H100', count: 8, startS: T0 - 600, endS: T0 + 1800 },
    { ...base, jobId: 'r2', poolId: 'b-h100', accelerator: 'H100', count: 16, startS: T0 - 600, endS: T0 + 5400 },
    { ...base, jobId: 'r3', poolId: 'd-h100', accelerator: 'H100', count: 8, startS: T0 + 9000, endS: T0 + 5 * 3600 },
  ];
}

/** `n` jobs of a few shapes: 8 or 16 H100 (some A100 too), 20 min to 6 h, a third with deadlines. */
export function tightJobs(n: number, rng: Rng): Job[] {
  return Array.from({ length: n }, (_, i) =>
    job(`j${String(i).padStart(3, '0')}`, {
      tenant: `t${i % 3}`,
      options:
        i % 4 === 0
          ? [
              { accelerator: 'H100', perMember: 8 },
              { accelerator: 'A100', perMember: 8 },
            ]
          : [{ accelerator: 'H100', perMember: i % 5 === 0 ? 16 : 8 }],
      durationS: Math.round(1200 + rng.next() * 6 * 3600),
      objective: { cost: 1 + (i % 3), carbon: 1, time: 1 + (i % 2) },
      ...(i % 3 === 0 ? { deadlineS: T0 + 8 * 3600 + Math.round(rng.next() * 12 * 3600) } : {}),
      submittedAtS: T0 - n + i,
    }),
  );
}

export function tightProfile(): Profile {
  return buildProfile({
    ...DEFAULT_PROFILE_SPEC,
    queueSort: 'priority-fifo',
    explain: 'brief',
    optimizer: { mode: 'on-demand', optionsPerJob: 4, timeLimitS: 10, gapPct: 1, slotS: 3600, horizonS: 24 * 3600 },
  });
}

export function tightCycle(jobs: readonly Job[]): Cycle {
  return new Cycle({ network: tightNetwork(), allocations: tightAllocations(), queue: jobs }, T0);
}

/**
 * Holds the options on a fresh cycle one after another and returns those that did not fit at the
 * time they were held: a plan that never over-commits a pool or a site at any instant returns none.
 */
export function overCommitted(fresh: Cycle, runs: readonly Run[]): string[] {
  const bad: string[] = [];
  for (const o of runs) {
    if (!fresh.fitsAt(o.pool, o.count, o.startS, o.durationS, o.kw)) {
      bad.push(`${o.count} on ${o.pool.pool.id} from ${o.startS - fresh.nowS} s for ${o.durationS} s`);
    }
    const plan = new Plan(fresh);
    plan.hold(o.pool, o.count, o.startS, o.startS + o.durationS, o.kw);
    plan.commit();
  }
  return bad;
}

/** What a planned run holds: a column, or an option. */
export interface Run {
  readonly pool: PreparedPool;
  readonly count: number;
  readonly startS: number;
  readonly durationS: number;
  readonly kw: number;
}

export function runOf(o: Option): Run {
  return { pool: o.pool, count: o.count, startS: o.startS, durationS: o.durationS, kw: o.incrementKw };
}

/** The cheapest plan of a per-job model, by exhaustive search with pruning on the rows. */
export function bruteForce(model: PerJobModel): { cost: number; chosen: Int32Array } {
  const used = new Float64Array(model.rowUpper.length);
  const chosen = new Int32Array(model.jobs).fill(-1);
  let best = { cost: Number.POSITIVE_INFINITY, chosen: new Int32Array(model.jobs) };
  const fits = (c: number, sign: number) => {
    for (let e = model.entryStart[c] as number; e < (model.entryStart[c + 1] as number); e++) {
      const r = model.entryRow[e] as number;
      used[r] = (used[r] as number) + sign * (model.entryCoef[e] as number);
    }
    let ok = true;
    for (let e = model.entryStart[c] as number; e < (model.entryStart[c + 1] as number); e++) {
      const r = model.entryRow[e] as number;
      if ((used[r] as number) > (model.rowUpper[r] as number) + 1e-9) ok = false;
    }
    return ok;
  };
  const visit = (j: number, cost: number) => {
    if (cost >= best.cost) return;
    if (j === model.jobs) {
      best = { cost, chosen: Int32Array.from(chosen) };
      return;
    }
    for (let c = model.first[j] as number; c < (model.first[j + 1] as number); c++) {
      const ok = fits(c, 1);
      if (ok) {
        chosen[j] = c;
        visit(j + 1, cost + (model.columns[c] as Column).cost);
      }
      fits(c, -1);
    }
    chosen[j] = -1;
    visit(j + 1, cost + UNPLANNED);
  };
  visit(0, 0);
  return best;
}

/**
 * A per-job model written by hand: `jobs[j]` lists job j's columns, each a cost and the rows it
 * uses. The columns' pools and times are never read by what is tested with it.
 */
export function handModel(
  jobs: readonly (readonly { cost: number; uses: readonly [number, number][] }[])[],
  rowUpper: readonly number[],
): PerJobModel {
  const columns: Column[] = [];
  const first = new Int32Array(jobs.length + 1);
  const entryStart: number[] = [];
  const entryRow: number[] = [];
  const entryCoef: number[] = [];
  jobs.forEach((cols, j) => {
    first[j] = columns.length;
    const sorted = [...cols].sort((a, b) => a.cost - b.cost);
    for (const c of sorted) {
      entryStart.push(entryRow.length);
      for (const [r, v] of c.uses) {
        entryRow.push(r);
        entryCoef.push(v);
      }
      columns.push({
        job: j,
        at: columns.length,
        pool: undefined as unknown as PreparedPool,
        startS: 0,
        durationS: 0,
        count: 0,
        kw: 0,
        cost: c.cost,
        firstSlot: 0,
        lastSlot: 0,
      });
    }
  });
  first[jobs.length] = columns.length;
  entryStart.push(entryRow.length);
  const best = new Int32Array(jobs.length).fill(-1);
  const contended = new Uint8Array(jobs.length);
  for (let j = 0; j < jobs.length; j++) {
    if ((first[j] as number) < (first[j + 1] as number)) {
      best[j] = first[j] as number;
      const b = first[j] as number;
      if ((entryStart[b + 1] as number) > (entryStart[b] as number)) contended[j] = 1;
    }
  }
  return {
    jobs: jobs.length,
    columns,
    first,
    cost: Float64Array.from(columns, (c) => c.cost),
    rowUpper: Float64Array.from(rowUpper),
    rowWhat: rowUpper.map((_, r) => ({ kind: 'pool' as const, index: r, slot: 0 })),
    entryStart: Int32Array.from(entryStart),
    entryRow: Int32Array.from(entryRow),
    entryCoef: Float64Array.from(entryCoef),
    best,
    contended,
  };
}
