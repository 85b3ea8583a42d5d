import { buildProfile, DEFAULT_PROFILE_SPEC } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import type { RecoveryMode } from './failures.ts';
import { eastWest } from './network.fixture.ts';
import type { SimJob } from './sim-job.ts';
import { simulate } from './simulate.ts';
import { syntheticJobs } from './workload/synthetic.ts';

/** Training jobs on two sites, checkpointing every 30 minutes (all, half or none of them). */
function workload(checkpointing: 'all' | 'half' | 'none'): { jobs: SimJob[]; network: ReturnType<typeof eastWest> } {
  const network = eastWest();
  const jobs = [...syntheticJobs({ jobs: 120, seed: 7, arrivalsPerHour: 4, deadlineShare: 0 }, network)].map(
    (j, i) => ({
      ...j,
      job: {
        ...j.job,
        kind: 'train' as const,
        ...(checkpointing === 'all' || (checkpointing === 'half' && i % 2 === 0)
          ? { checkpoint: { intervalS: 1800, sizeGb: 50 } }
          : {}),
      },
    }),
  );
  return { jobs, network };
}

const run = (recovery: RecoveryMode, seed = 3, checkpointing: 'all' | 'half' | 'none' = 'half') => {
  const { jobs, network } = workload(checkpointing);
  return simulate({
    network,
    profile: buildProfile(DEFAULT_PROFILE_SPEC),
    jobs,
    estimates: 'oracle',
    seed: 1,
    cycleS: 60,
    // Failures far more often than real ones, to see them in 120 jobs.
    failures: { acceleratorMtbfH: 200, seed, recovery },
  });
};

describe('failures in the simulator, recovered by the engine’s decision', () => {
  it('fails jobs for good without recovery, and finishes them all with it, at a cost in lost work', () => {
    const none = run('none');
    const policy = run('policy');
    const inPlace = run('in-place');
    expect(none.recovery?.failures).toBeGreaterThan(5);
    expect(none.recovery?.failedForGood).toBeGreaterThan(5);
    expect(none.jobs.failed).toBe(none.recovery?.failedForGood);
    expect(none.jobs.finished + (none.jobs.failed ?? 0) + none.jobs.unfinished + none.jobs.rejected).toBe(120);
    for (const s of [policy, inPlace]) {
      expect(s.recovery?.restarts).toBeGreaterThan(0);
      expect(s.jobs.finished + (s.jobs.failed ?? 0)).toBe(120);
      expect(s.recovery?.lostAcceleratorHours).toBeGreaterThan(0);
      expect(s.recovery?.ettr).toBeLessThan(1);
      expect(s.recovery?.ettr).toBeGreaterThan(0.3);
    }
    // Recovery finishes what no recovery loses; checkpoints keep more of the accelerators' time productive.
    expect(policy.jobs.finished).toBeGreaterThan(none.jobs.finished);
    expect(run('policy', 3, 'all').recovery?.ettr).toBeGreaterThan(run('policy', 3, 'none').recovery?.ettr ?? 1);
    // In place never moves a job; the policy may.
    expect(inPlace.recovery?.failovers).toBe(0);
  });

  it('is deterministic for a seed, and another seed fails other runs', () => {
    expect(run('policy', 3)).toEqual(run('policy', 3));
    expect(run('policy', 4).recovery).not.toEqual(run('policy', 3).recovery);
  });

  it('takes a site out for an outage: its runs fail over by policy, wait for it in place, and nothing is placed there meanwhile', () => {
    const { jobs, network } = workload('all');
    const west = 'west';
    const placedAt: { atS: number; siteId: string }[] = [];
    const outage = (recovery: RecoveryMode) =>
      simulate({
        network,
        profile: buildProfile(DEFAULT_PROFILE_SPEC),
        jobs,
        estimates: 'oracle',
        seed: 1,
        cycleS: 60,
        failures: { seed: 3, recovery, outages: [{ siteId: west, startS: 6 * 3600, durationS: 6 * 3600 }] },
        onCycle: (t, r) => {
          if (recovery !== 'policy') return;
          for (const d of r.decisions) if (d.kind === 'place') placedAt.push({ atS: t, siteId: d.placement.siteId });
        },
      });
    const policy = outage('policy');
    const inPlace = outage('in-place');
    const none = outage('none');
    expect(policy.recovery).toMatchObject({ siteOutages: 1, siteOutageHours: 6, linkCuts: 0 });
    expect(policy.recovery?.failures).toBeGreaterThan(0);
    // Every failure is the outage's; any-site fails runs over (those that fit elsewhere), in place waits for the site.
    expect(policy.recovery?.failovers).toBeGreaterThan(0);
    expect(policy.recovery?.failovers).toBeLessThanOrEqual(policy.recovery?.restarts ?? 0);
    expect(inPlace.recovery?.failovers).toBe(0);
    expect(policy.jobs.finished).toBe(120);
    expect(inPlace.jobs.finished).toBe(120);
    expect(none.jobs.failed).toBe(none.recovery?.failures);
    // A checkpoint written where the run was is lost with the site for a restart elsewhere, kept in place.
    expect(policy.recovery?.lostAcceleratorHours).toBeGreaterThan(inPlace.recovery?.lostAcceleratorHours ?? 0);
    const t0 = jobs[0]?.job.submittedAtS ?? 0;
    const during = placedAt.filter((p) => p.atS >= t0 + 6 * 3600 && p.atS < t0 + 12 * 3600);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((p) => p.siteId !== west)).toBe(true);
  });

  it('cuts a link: data over it is not staged while it is cut; outages at a rate are seeded', () => {
    const { jobs, network } = workload('none');
    const [a, b] = network.sites.map((s) => s.id) as [string, string];
    const cut = simulate({
      network,
      profile: buildProfile(DEFAULT_PROFILE_SPEC),
      jobs,
      estimates: 'oracle',
      seed: 1,
      cycleS: 60,
      failures: { seed: 3, recovery: 'policy', linkCuts: [{ from: a, to: b, startS: 0, durationS: 3600 }] },
    });
    expect(cut.recovery).toMatchObject({ linkCuts: 1, siteOutages: 0, failures: 0 });
    const rated = (seed: number) =>
      simulate({
        network,
        profile: buildProfile(DEFAULT_PROFILE_SPEC),
        jobs,
        estimates: 'oracle',
        seed: 1,
        cycleS: 60,
        failures: { seed, recovery: 'policy', outageRate: { perSiteYear: 200, durationS: 3600 } },
      }).recovery;
    expect(rated(3)?.siteOutages).toBeGreaterThan(0);
    expect(rated(3)).toEqual(rated(3));
  });
});
