import { describe, expect, it } from 'vitest';
import { cycleOf, job } from '../../network.fixture.ts';
import { qssf, serviceS } from './qssf.ts';

describe('qssf', () => {
  it('orders by estimated service: accelerators × run time', () => {
    const c = cycleOf();
    const wide = job('wide', { durationS: 1000, options: [{ accelerator: 'H100', perMember: 8 }], gang: 2 });
    const narrowLong = job('narrow-long', { durationS: 4000, options: [{ accelerator: 'H100', perMember: 1 }] });
    expect(serviceS(wide)).toBe(16_000);
    expect(serviceS(narrowLong)).toBe(4000);
    const order = [wide, narrowLong].sort((a, b) => qssf().compare(a, b, c)).map((j) => j.id);
    expect(order).toEqual(['narrow-long', 'wide']);
  });
});
