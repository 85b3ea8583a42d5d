import { describe, expect, it } from 'vitest';
import { eastWest } from '../network.fixture.ts';
import { syntheticJobs } from './synthetic.ts';

describe('synthetic workload', () => {
  const spec = { jobs: 4000, seed: 11, arrivalsPerHour: 200 };

  it('is the same for the same seed, different for another, and in submit order', () => {
    const a = [...syntheticJobs(spec, eastWest())];
    const b = [...syntheticJobs(spec, eastWest())];
    const c = [...syntheticJobs({ ...spec, seed: 12 }, eastWest())];
    expect(a).toEqual(b);
    expect(a.map((j) => j.job.durationS)).not.toEqual(c.map((j) => j.job.durationS));
    expect(a.length).toBe(4000);
    for (let i = 1; i < a.length; i++) {
      expect(a[i]?.job.submittedAtS).toBeGreaterThanOrEqual(a[i - 1]?.job.submittedAtS ?? 0);
    }
  });

  it('follows the ITP fit: mostly one accelerator, median run near 2.3 h, more arrivals by day than at night', () => {
    const jobs = [
      ...syntheticJobs({ ...spec, mix: { train: 0, finetune: 1, 'batch-infer': 0, serve: 0 } }, eastWest()),
    ];
    const ones = jobs.filter((j) => j.job.options[0]?.perMember === 1 && j.job.gang === 1).length / jobs.length;
    expect(ones).toBeGreaterThan(0.78);
    expect(ones).toBeLessThan(0.88);
    const durations = jobs.map((j) => j.job.durationS).sort((x, y) => x - y);
    const median = durations[Math.floor(durations.length / 2)] ?? 0;
    expect(median).toBeGreaterThan(4000);
    expect(median).toBeLessThan(16_000);
    // Local hour (UTC+8): afternoon (12-18 h) against night (0-6 h).
    const hour = (s: number) => Math.floor((s / 3600 + 8) % 24);
    const afternoon = jobs.filter((j) => hour(j.job.submittedAtS) >= 12 && hour(j.job.submittedAtS) < 18).length;
    const night = jobs.filter((j) => hour(j.job.submittedAtS) < 6).length;
    expect(afternoon).toBeGreaterThan(1.3 * night);
  });

  it('is lazy: a million jobs cost nothing until read', () => {
    const it = syntheticJobs({ ...spec, jobs: 1_000_000 }, eastWest());
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value?.job.id).toBe('syn-11-0');
  });
});
