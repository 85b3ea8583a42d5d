import { buildProfile, DEFAULT_PROFILE_SPEC, type ProfileSpec } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { oneCluster, simJob } from './network.fixture.ts';
import type { SimJob } from './sim-job.ts';
import { simulate } from './simulate.ts';
import { syntheticJobs } from './workload/synthetic.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** LAS as the baseline ships it: Tiresias' two queues, preemptive, no starvation limit. */
const las: ProfileSpec = {
  name: 'las',
  queueSort: { name: 'las', args: { thresholdsS: [18_000] } },
  plugins: [
    { name: 'site-affinity' },
    { name: 'accelerator-type' },
    { name: 'capacity-fit' },
    { name: 'preempt-by-order' },
  ],
  scores: [{ name: 'time-score' }],
  timeShift: false,
  backfill: { reservations: 0 },
};

/** One 10-hour job, then a 30-minute job every 30 minutes for ten days, all on the same 8 accelerators. */
function stream(): SimJob[] {
  const all = { options: [{ accelerator: 'A100', perMember: 8 }] };
  const jobs = [simJob('long', { ...all, durationS: 10 * HOUR, submittedAtS: 0 })];
  for (let i = 0; i < (10 * DAY) / 1800; i++) {
    jobs.push(simJob(`short-${i}`, { ...all, durationS: 1800, submittedAtS: 60 + i * 1800 }));
  }
  return jobs;
}

const run = (spec: ProfileSpec, jobs: readonly SimJob[], network = oneCluster(8)) =>
  simulate({
    network,
    profile: buildProfile(spec),
    jobs,
    estimates: 'history',
    seed: 3,
    cycleS: 60,
    preemption: { checkpointS: 0, restartS: 60 },
  });

describe('the default policy', () => {
  it('never lets a job starve: it waits at most a week, or four times its run time, then goes first', () => {
    // LAS stops the long job for every short one: it finishes only when the stream ends.
    expect(run(las, stream()).jctS.max).toBeGreaterThan(10 * DAY);
    // The default lets a job go first once it has waited a week and four times as long as it has
    // run, oldest wait first, and does not stop it while that holds. The long job ends a week plus
    // its 10 hours in; a short job stopped early (it fell to a later queue) also starves for a week,
    // then waits behind the long one.
    const d = run(DEFAULT_PROFILE_SPEC, stream());
    expect(d.jobs.finished).toBe(stream().length);
    expect(d.jctS.max).toBeLessThan(7 * DAY + 10 * HOUR + 2 * HOUR);
    expect(d.waitS.max).toBeLessThan(7 * DAY + 10 * HOUR + 2 * HOUR);
  });

  it('beats first-come-first-served on waiting under contention, as least-attained-service does', () => {
    const network = oneCluster(48);
    const jobs = [...syntheticJobs({ jobs: 600, seed: 5, arrivalsPerHour: 6, deadlineShare: 0 }, network)];
    const fifo = run({ ...DEFAULT_PROFILE_SPEC, queueSort: 'priority-fifo' }, jobs, network);
    const dflt = run(DEFAULT_PROFILE_SPEC, jobs, network);
    expect(dflt.jobs.unfinished).toBe(0);
    expect(dflt.jctS.avg).toBeLessThan(0.8 * fifo.jctS.avg);
    expect(dflt.waitS.avg).toBeLessThan(fifo.waitS.avg);
  });

  it('decides the same on the same input and seed', () => {
    const network = oneCluster(48);
    const jobs = [...syntheticJobs({ jobs: 300, seed: 7, arrivalsPerHour: 6, deadlineShare: 0.2 }, network)];
    expect(JSON.stringify(run(DEFAULT_PROFILE_SPEC, jobs, network))).toBe(
      JSON.stringify(run(DEFAULT_PROFILE_SPEC, jobs, network)),
    );
  });
});
