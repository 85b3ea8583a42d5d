import { describe, expect, it } from 'vitest';
import { cycleOf, job, running, T0 } from '../../network.fixture.ts';
import { srtf } from './srtf.ts';

describe('srtf', () => {
  it('ranks queued jobs by remaining run and running ones by the time to their expected end', () => {
    const c = cycleOf({}, T0);
    const rank = srtf().rank;
    expect(rank?.job(job('j', { durationS: 900 }), c)).toBe(900);
    expect(rank?.running(running('r', 'west-h100', 8, { endS: T0 + 1800 }), c)).toBe(1800);
  });

  it('counts a job past its expected end as still running a while (not as about to free)', () => {
    const c = cycleOf({}, T0);
    const overdue = running('r', 'west-h100', 8, { endS: T0 - 60 });
    expect(srtf().rank?.running(overdue, c)).toBeGreaterThanOrEqual(600);
  });
});
