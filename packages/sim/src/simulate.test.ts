import { buildProfile, DEFAULT_PROFILE_SPEC, type ProfileSpec } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest, oneCluster, simJob } from './network.fixture.ts';
import type { SimJob } from './sim-job.ts';
import { simulate } from './simulate.ts';
import { syntheticJobs } from './workload/synthetic.ts';

const local = (queueSort: string, preemptive = false): ProfileSpec => ({
  name: queueSort,
  queueSort,
  plugins: [
    { name: 'site-affinity' },
    { name: 'accelerator-type' },
    { name: 'capacity-fit' },
    ...(preemptive ? [{ name: 'preempt-by-order' }] : []),
  ],
  scores: [{ name: 'time-score' }],
  timeShift: false,
  backfill: { reservations: 0 },
});

/** A loaded single cluster: 600 synthetic jobs on 48 accelerators. */
function loaded(): { jobs: SimJob[]; network: ReturnType<typeof oneCluster> } {
  const network = oneCluster(48);
  const jobs = [...syntheticJobs({ jobs: 600, seed: 5, arrivalsPerHour: 6, deadlineShare: 0 }, network)];
  return { jobs, network };
}

describe('simulate', () => {
  it('conserves work: every job finishes exactly once, and accelerator-seconds match the demand', () => {
    const { jobs, network } = loaded();
    const demandS = jobs.reduce((n, j) => n + j.job.durationS * (j.job.options[0]?.perMember ?? 0) * j.job.gang, 0);
    for (const [spec, restartS] of [
      [local('priority-fifo'), 0],
      [local('las', true), 60],
      [local('srtf', true), 60],
    ] as const) {
      const s = simulate({
        network,
        profile: buildProfile(spec),
        jobs,
        estimates: 'oracle',
        seed: 1,
        cycleS: 60,
        preemption: { checkpointS: 0, restartS },
      });
      expect(s.jobs).toMatchObject({ submitted: 600, finished: 600, rejected: 0, unfinished: 0 });
      const usedS = (s.acceleratorHours - s.wastedAcceleratorHours) * 3600;
      expect(usedS).toBeCloseTo(demandS, 0);
      if (spec.name !== 'priority-fifo') expect(s.jobs.preemptions).toBeGreaterThan(0);
      expect(s.jctS.avg).toBeGreaterThan(0);
      expect(s.utilization).toBeGreaterThan(0);
      expect(s.utilization).toBeLessThanOrEqual(1);
    }
  });

  it('gives the same summary for the same input and seed', () => {
    const { jobs, network } = loaded();
    const run = () =>
      simulate({
        network,
        profile: buildProfile(local('las', true)),
        jobs,
        estimates: 'history',
        seed: 9,
        cycleS: 60,
        preemption: { checkpointS: 1800, restartS: 60 },
      });
    expect(JSON.stringify(run())).toBe(JSON.stringify(run()));
  });

  it('counts work lost since the last checkpoint and restarts as waste', () => {
    const network = oneCluster(8);
    const jobs = [
      simJob('long', { durationS: 10_000, options: [{ accelerator: 'A100', perMember: 8 }], submittedAtS: 0 }),
      simJob('short', { durationS: 600, options: [{ accelerator: 'A100', perMember: 8 }], submittedAtS: 3000 }),
    ];
    const s = simulate({
      network,
      profile: buildProfile(local('srtf', true)),
      jobs,
      estimates: 'oracle',
      seed: 1,
      cycleS: 60,
      preemption: { checkpointS: 1000, restartS: 100 },
    });
    expect(s.jobs.preemptions).toBe(1);
    // Stopped at 3,000 s with checkpoints every 1,000: nothing lost; 100 s restart on 8 accelerators.
    expect(s.wastedAcceleratorHours * 3600).toBeCloseTo(8 * 100, 0);
    expect(s.jobs.finished).toBe(2);
  });

  it('drops jobs no site could ever run and counts them', () => {
    const s = simulate({
      network: oneCluster(8),
      profile: buildProfile(local('priority-fifo')),
      jobs: [simJob('too-big', { options: [{ accelerator: 'A100', perMember: 64 }] }), simJob('ok')],
      estimates: 'oracle',
      seed: 1,
      cycleS: 0,
    });
    expect(s.jobs).toMatchObject({ submitted: 2, finished: 1, rejected: 1 });
  });

  it('runs the default profile on a network with tenants: costs, carbon, sectors and sites add up', () => {
    const network = eastWest();
    const jobs = [...syntheticJobs({ jobs: 300, seed: 2, arrivalsPerHour: 60 }, network)];
    const s = simulate({
      network,
      profile: buildProfile(DEFAULT_PROFILE_SPEC),
      jobs,
      estimates: 'history',
      seed: 1,
      cycleS: 60,
    });
    expect(s.jobs.finished + s.jobs.rejected).toBe(300);
    const bySite = s.sites.reduce((n, x) => n + x.costCny, 0);
    expect(bySite).toBeCloseTo(s.costCny, 6);
    expect(s.sectors.reduce((n, x) => n + x.share, 0)).toBeCloseTo(1, 6);
    expect(s.tenants.map((t) => t.tenant).sort()).toEqual(['bank', 'lab']);
    expect(s.jainIndex).toBeGreaterThan(0.5);
    expect(s.carbonKg).toBeGreaterThan(0);
    expect(s.deadlineJobs).toBeGreaterThan(0);
    expect(s.series.utilization.length).toBeGreaterThan(1);
  });

  it('refuses a workload out of submit order', () => {
    expect(() =>
      simulate({
        network: oneCluster(8),
        profile: buildProfile(local('priority-fifo')),
        jobs: [simJob('b', { submittedAtS: 10 }), simJob('a', { submittedAtS: 5 })],
        estimates: 'oracle',
        seed: 1,
        cycleS: 60,
      }),
    ).toThrow(/submit order at job a/);
  });
});
