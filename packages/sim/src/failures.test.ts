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
});
