import { describe, expect, it } from 'vitest';
import { decide } from '../../decide.ts';
import { buildProfile } from '../../framework/registry.ts';
import { cycleOf, job, optionOf, T0, testNetwork } from '../../network.fixture.ts';
import { distanceScore } from './distance-score.ts';

describe('distance-score', () => {
  it('measures the latency from the job origin: zero at home, more further away', () => {
    const c = cycleOf();
    const j = job('j', { originSiteId: 'east' });
    const s = distanceScore();
    const home = s.measure(c, j, optionOf(c, j, 'east-h100'));
    const hydro = s.measure(c, j, optionOf(c, j, 'hydro-h100'));
    const west = s.measure(c, j, optionOf(c, j, 'west-h100'));
    expect(home).toBe(0);
    expect(hydro).toBeGreaterThan(0);
    expect(west).toBeGreaterThan(0);
    expect(s.measure(c, job('nowhere'), optionOf(c, j, 'west-h100'))).toBe(0);
  });

  it('sends a job to the nearest site, even when a cheaper one is free', () => {
    const profile = buildProfile({
      name: 'nearest',
      queueSort: 'priority-fifo',
      plugins: [{ name: 'accelerator-type' }, { name: 'capacity-fit' }],
      scores: [{ name: 'distance-score' }],
      timeShift: false,
    });
    const { decisions } = decide(
      { network: testNetwork(), allocations: [], queue: [job('j', { originSiteId: 'east' })] },
      T0,
      { profile },
    );
    expect(decisions[0]?.kind === 'place' && decisions[0].placement.siteId).toBe('east');
  });
});
