import {
  buildProfile,
  DEFAULT_PROFILE_SPEC,
  type Decision,
  decide,
  type Job,
  type LpModel,
  type Network,
  type Solver,
} from '@suanli/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighsSolver } from './highs-solver.ts';

let solver: Solver;
beforeAll(async () => {
  solver = await loadHighsSolver();
});

/** max 3x + 2y s.t. x + y ≤ 4, x + 3y ≤ 6, x ≤ 3 → as a minimisation of −3x − 2y. */
function smallModel(): LpModel {
  return {
    numCols: 2,
    numRows: 2,
    colCost: Float64Array.from([-3, -2]),
    colLower: Float64Array.from([0, 0]),
    colUpper: Float64Array.from([3, Number.POSITIVE_INFINITY]),
    rowLower: Float64Array.from([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]),
    rowUpper: Float64Array.from([4, 6]),
    starts: Int32Array.from([0, 2, 4]),
    indices: Int32Array.from([0, 1, 0, 1]),
    values: Float64Array.from([1, 1, 1, 3]),
    integer: Uint8Array.from([1, 1]),
  };
}

describe('HiGHS solver', () => {
  it('solves an LP and a MIP to their known optima', () => {
    const lp = solver.solve(smallModel(), { mip: false, timeLimitS: 5, gapPct: 0 });
    expect(lp.status).toBe('optimal');
    expect(lp.objective).toBeCloseTo(-11, 6); // x = 3, y = 1
    expect([...lp.x].map((v) => Math.round(v * 1000) / 1000)).toEqual([3, 1]);
    const mip = solver.solve(smallModel(), { mip: true, timeLimitS: 5, gapPct: 0 });
    expect(mip.status).toBe('optimal');
    expect(mip.objective).toBeCloseTo(-11, 6);
  });

  it('reports an infeasible model as such', () => {
    const m = { ...smallModel(), rowLower: Float64Array.from([5, Number.NEGATIVE_INFINITY]) };
    expect(solver.solve(m, { mip: false, timeLimitS: 5, gapPct: 0 }).status).toBe('infeasible');
  });
});

const NOW = 1_795_392_000;
const flat = (v: number) => new Array<number>(24).fill(v);

/**
 * Two one-pool sites of 8 H100. Site `good` is cheap for everyone; site `ok` costs a bit more,
 * except for the tenant whose data lives next to it. Two 8-H100 jobs want `good`; one of them is
 * nearly as well off at `ok`.
 */
function network(): Network {
  const site = (id: string, price: number) => ({
    id,
    name: id,
    province: 'Test',
    kind: 'cluster' as const,
    jurisdiction: 'cn-mainland' as const,
    lat: 30,
    lon: 110,
    utcOffsetH: 8,
    pue: 1.2,
    powerCapMw: 10,
    tariffCnyPerKwh: flat(0.5),
    gridCarbonKgPerKwh: 0.5,
    greenShare: 0,
    pools: [
      {
        id: `${id}-h100`,
        siteId: id,
        accelerator: 'H100',
        count: 8,
        priceCnyPerAcceleratorHour: price,
        backend: 'sim',
      },
    ],
  });
  return {
    name: 'two',
    accelerators: [
      { type: 'H100', vendor: 'NVIDIA', name: 'H100', tdpW: 700, bf16DenseTflops: 989, memoryGb: 80, stack: 'cuda' },
    ],
    sites: [site('good', 10), site('ok', 11), site('far', 30)],
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants: [],
    clusterQueues: [],
    priorityClasses: {},
  };
}

function job(id: string, submittedAtS: number, costWeight: number): Job {
  return {
    id,
    name: id,
    tenant: 't',
    kind: 'train',
    options: [{ accelerator: 'H100', perMember: 8 }],
    gang: 1,
    durationS: 3600,
    datasets: [],
    objective: { cost: costWeight, carbon: 0, time: 1 },
    priority: 0,
    preemptible: true,
    submittedAtS,
  };
}

const site = (d: Decision | undefined) =>
  d && d.kind !== 'wait' ? `${d.placement.siteId}@${d.placement.estimate.startS - NOW}` : 'wait';

describe('batch optimizer with HiGHS', () => {
  // `first` barely cares which site; `second` cares a lot about cost and would be pushed to `far`.
  const queue = [job('first', 0, 0.05), job('second', 1, 10)];
  const profile = buildProfile({
    ...DEFAULT_PROFILE_SPEC,
    queueSort: 'priority-fifo',
    timeShift: false,
    backfill: { reservations: 0 },
  });

  it('plans jobs together where the greedy pass, one by one, does worse (the second job waits)', () => {
    const greedy = decide({ network: network(), allocations: [], queue }, NOW, { profile });
    expect(greedy.decisions.map(site)).toEqual(['good@0', 'wait']);
    const optimized = decide({ network: network(), allocations: [], queue }, NOW, {
      profile,
      solver,
      optimize: true,
    });
    const bySite = Object.fromEntries(optimized.decisions.map((d) => [d.jobId, site(d)]));
    // The cost-sensitive job gets the cheap site; the indifferent one takes the other.
    expect(bySite).toEqual({ first: 'ok@0', second: 'good@0' });
    expect(optimized.optimizer).toMatchObject({ jobs: 2, assigned: 2 });
    expect(optimized.optimizer?.gapPct).toBeLessThanOrEqual(1);
    expect(optimized.decisions.find((d) => d.jobId === 'first')?.explanation.notes.join(' ')).toContain(
      'batch optimizer',
    );
  });

  it('never over-fills a pool, and leaves the jobs that do not fit waiting', () => {
    const many = Array.from({ length: 7 }, (_, i) => job(`j${i}`, i, 1));
    const { decisions, optimizer } = decide({ network: network(), allocations: [], queue: many }, NOW, {
      profile,
      solver,
      optimize: true,
    });
    const placed = decisions.filter((d) => d.kind === 'place');
    expect(placed).toHaveLength(3); // three pools of 8
    expect(new Set(placed.map((d) => (d.kind === 'place' ? d.placement.poolId : ''))).size).toBe(3);
    expect(decisions.filter((d) => d.kind === 'wait')).toHaveLength(4);
    expect(optimizer?.status).not.toBe('fallback-greedy');
  });

  it('falls back to the greedy plan when the solver fails', () => {
    const failing: Solver = {
      name: 'failing',
      solve: () => ({
        status: 'failed',
        x: new Float64Array(0),
        objective: Number.NaN,
        bound: Number.NaN,
        runtimeS: 0,
      }),
    };
    const r = decide({ network: network(), allocations: [], queue }, NOW, {
      profile,
      solver: failing,
      optimize: true,
    });
    expect(r.optimizer).toMatchObject({ status: 'fallback-greedy', reason: 'the LP relaxation ended failed' });
    expect(r.decisions.map(site)).toEqual(['good@0', 'wait']);
  });
});
