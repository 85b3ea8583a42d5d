import { describe, expect, it } from 'vitest';
import { buildProfile, ProfileError } from '../../framework/registry.ts';
import { cycleOf, job, running, T0 } from '../../network.fixture.ts';
import { las } from './las.ts';

describe('las', () => {
  const plugin = las({ thresholdsS: [18_000] });

  it('puts jobs with less attained service in a lower queue, first come first served within one', () => {
    const c = cycleOf();
    const fresh = job('fresh', { submittedAtS: 100 });
    const older = job('older', { submittedAtS: 50 });
    const served = job('served', { submittedAtS: 0, attainedS: 20_000 });
    const order = [served, fresh, older].sort((a, b) => plugin.compare(a, b, c)).map((j) => j.id);
    expect(order).toEqual(['older', 'fresh', 'served']);
  });

  it('ranks a running job by the service it has had so far, this run included', () => {
    const c = cycleOf({}, T0);
    const rank = plugin.rank;
    // 8 accelerators for 600 s = 4,800 s of service: still the first queue.
    expect(rank?.running(running('r', 'west-h100', 8, { startS: T0 - 600 }), c)).toBe(0);
    // 8 × 3,000 s = 24,000 s: the second.
    expect(rank?.running(running('r', 'west-h100', 8, { startS: T0 - 3000 }), c)).toBe(1);
    expect(rank?.running(running('r', 'west-h100', 1, { startS: T0 - 600, attainedS: 18_000 }), c)).toBe(1);
  });

  it('takes its thresholds from the profile, which rejects ones that are not ascending', () => {
    const spec = (thresholdsS: unknown) => ({
      name: 'p',
      queueSort: { name: 'las', args: { thresholdsS } },
      plugins: [],
      scores: [{ name: 'time-score' }],
    });
    expect(buildProfile(spec([3600, 36_000])).queueSort.name).toBe('las');
    expect(() => buildProfile(spec([5, 1]))).toThrow(ProfileError);
    expect(() => buildProfile(spec('soon'))).toThrow(/accelerator-seconds/);
  });
});
