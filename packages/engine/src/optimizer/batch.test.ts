import { describe, expect, it } from 'vitest';
import type { Job } from '../domain/job.ts';
import { Cycle } from '../framework/cycle.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from '../framework/registry.ts';
import { T0 } from '../network.fixture.ts';
import { seededRng } from '../rng.ts';
import { batchModel, solveBatch } from './batch.ts';
import { type Column, planCost } from './model.ts';
import {
  bruteForce,
  overCommitted,
  runOf,
  tightAllocations,
  tightCycle,
  tightJobs,
  tightNetwork,
  tightProfile,
} from './optimizer.fixture.ts';
import { perJobLp, roundPlan } from './per-job.ts';
import type { LpModel, LpResult, Solver } from './solver.ts';

/**
 * A solver that always fails: planning by classes and prices needs none. (The LP/MIP path is tested
 * with HiGHS in packages/solver and through the service.)
 */
function noSolver(): Solver {
  return {
    name: 'none',
    solve: (_m: LpModel): LpResult => ({
      status: 'failed',
      x: new Float64Array(0),
      objective: Number.NaN,
      bound: Number.NaN,
      runtimeS: 0,
    }),
  };
}

/** The plan's options in queue order. */
function planned(jobs: readonly Job[], plan: ReturnType<typeof solveBatch>['plan']) {
  return jobs.flatMap((j) => {
    const p = plan.get(j.id);
    return p ? [runOf(p.option)] : [];
  });
}

describe('batch optimizer', () => {
  it('never over-commits a pool or a site at any instant', () => {
    for (const seed of [1, 2, 3]) {
      const jobs = tightJobs(80, seededRng(seed));
      const profile = tightProfile();
      const { plan, report } = solveBatch(tightCycle(jobs), jobs, profile, noSolver(), true);
      expect(report.status).not.toBe('fallback-greedy');
      expect(report.assigned).toBe(plan.size);
      expect(plan.size).toBeGreaterThan(10);
      expect(plan.size).toBeLessThan(80); // the network cannot take them all: rows bind
      const fresh = new Cycle({ network: tightNetwork(), allocations: tightAllocations(), queue: [] }, T0);
      expect(overCommitted(fresh, planned(jobs, plan))).toEqual([]);
    }
  });

  it('reports a bound no plan of the per-job model beats, and the cost of its own plan', () => {
    for (const seed of [4, 5, 6, 7]) {
      // Seven jobs of 16 H100 on pools of 16–32: they contend, and every plan can be enumerated.
      const jobs = tightJobs(7, seededRng(seed)).map((j) => ({
        ...j,
        options: [{ accelerator: 'H100', perMember: 16 }],
      }));
      const profile = buildProfile({
        ...DEFAULT_PROFILE_SPEC,
        queueSort: 'priority-fifo',
        explain: 'brief',
        optimizer: {
          mode: 'on-demand',
          optionsPerJob: 3,
          timeLimitS: 10,
          gapPct: 0.1,
          slotS: 3600,
          horizonS: 24 * 3600,
        },
      });
      const cycle = tightCycle(jobs);
      const { model } = batchModel(cycle, jobs, profile, true);
      const optimum = bruteForce(model).cost;
      const { plan, report } = solveBatch(cycle, jobs, profile, noSolver(), true);
      expect(report.lpBound).toBeLessThanOrEqual(optimum + 1e-9);
      expect(report.objective).toBeGreaterThanOrEqual(optimum - 1e-9);
      expect(report.gapPct).toBeCloseTo((100 * (report.objective - report.lpBound)) / report.objective, 9);
      // The objective is the per-job cost of the plan it returns.
      const chosen = new Int32Array(jobs.length).fill(-1);
      jobs.forEach((j, i) => {
        const p = plan.get(j.id);
        if (!p) return;
        chosen[i] = model.columns.findIndex(
          (c: Column) => c.job === i && c.pool === p.option.pool && c.startS === p.option.startS,
        );
        expect(chosen[i]).toBeGreaterThanOrEqual(0);
      });
      expect(planCost(model, chosen)).toBeCloseTo(report.objective, 9);
    }
  });

  it('rounds any LP solution of the per-job model to a plan that never over-commits', () => {
    const jobs = tightJobs(60, seededRng(9));
    const { model } = batchModel(tightCycle(jobs), jobs, tightProfile(), false);
    const built = perJobLp(model);
    const rng = seededRng(10);
    for (let trial = 0; trial < 20; trial++) {
      const x = Float64Array.from({ length: built.lp.numCols }, () => (rng.next() < 0.3 ? rng.next() : 0));
      const chosen = roundPlan(model, built, x);
      const options = [...chosen].flatMap((c) => (c >= 0 ? [model.columns[c] as Column] : []));
      const fresh = new Cycle({ network: tightNetwork(), allocations: tightAllocations(), queue: [] }, T0);
      expect(overCommitted(fresh, options)).toEqual([]);
    }
  });

  it('shares columns within a class: its jobs can take each other’s (pool, start slot)s', () => {
    const jobs = tightJobs(60, seededRng(8));
    const profile = tightProfile();
    const { model, classes } = batchModel(tightCycle(jobs), jobs, profile, true);
    expect(classes).toBeGreaterThan(1);
    expect(classes).toBeLessThan(60);
    // More columns than each job's own best k alone, and every job still has some.
    const own = batchModel(tightCycle(jobs), jobs, profile, false).model;
    expect(model.columns.length).toBeGreaterThan(own.columns.length);
    for (let j = 0; j < jobs.length; j++) expect(model.first[j + 1]).toBeGreaterThan(model.first[j] as number);
  });
});
