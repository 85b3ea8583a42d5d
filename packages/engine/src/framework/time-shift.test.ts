import { describe, expect, it } from 'vitest';
import { decide } from '../decide.ts';
import type { Network } from '../domain/network.ts';
import { job, site, T0, testNetwork } from '../network.fixture.ts';

/** One site whose grid is clean at midday (solar) and whose power is cheap at night, UTC+8. */
function solarNetwork(): Network {
  const carbon = Array.from({ length: 24 }, (_, h) => (h >= 10 && h < 16 ? 0.3 : 0.7));
  const tariff = Array.from({ length: 24 }, (_, h) => (h < 7 ? 0.2 : 0.8));
  return { ...testNetwork(), sites: [site('sun', { carbonKgPerKwhByHour: carbon, tariffCnyPerKwh: tariff })] };
}

// T0 is 2026-11-23 00:00 UTC = 08:00 in UTC+8.
describe('time shifting', () => {
  it('holds a flexible job for the greenest hours when carbon is all that counts', () => {
    const j = job('flex', { deadlineS: T0 + 86400, durationS: 3 * 3600, objective: { cost: 0, carbon: 1, time: 0 } });
    const d = decide({ network: solarNetwork(), allocations: [], queue: [j] }, T0).decisions[0];
    expect(d?.kind).toBe('reserve');
    // 10:00 local = 02:00 UTC: the whole run in the clean hours.
    expect(d?.kind === 'reserve' && d.placement.estimate.startS).toBe(T0 + 2 * 3600);
    expect(d?.kind === 'reserve' && d.reason).toContain('shifted 2 h to cheaper or greener hours');
  });

  it('shifts to the cheap night when cost of energy counts alone, and never past the deadline', () => {
    const j = job('night', { deadlineS: T0 + 86400, durationS: 3600, objective: { cost: 1, carbon: 0, time: 0 } });
    const d = decide({ network: solarNetwork(), allocations: [], queue: [j] }, T0).decisions[0];
    // Tariff 0.2 from 00:00 to 07:00 local = 16:00 UTC on: the first night hour.
    expect(d?.kind === 'reserve' && d.placement.estimate.startS).toBe(T0 + 16 * 3600);
    const tight = job('tight', {
      deadlineS: T0 + 4 * 3600,
      durationS: 3600,
      objective: { cost: 1, carbon: 0, time: 0 },
    });
    const d2 = decide({ network: solarNetwork(), allocations: [], queue: [tight] }, T0).decisions[0];
    expect(d2?.kind === 'place' || (d2?.kind === 'reserve' && d2.placement.estimate.endS <= T0 + 4 * 3600)).toBe(true);
  });

  it('starts a job without a deadline at once', () => {
    const j = job('now', { durationS: 3600, objective: { cost: 0, carbon: 1, time: 0 } });
    expect(decide({ network: solarNetwork(), allocations: [], queue: [j] }, T0).decisions[0]?.kind).toBe('place');
  });
});
