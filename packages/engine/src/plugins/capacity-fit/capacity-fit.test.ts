import { describe, expect, it } from 'vitest';
import { cycleOf, job, optionOf, running, T0 } from '../../network.fixture.ts';
import { capacityFit } from './capacity-fit.ts';

function check(perMember: number, gang: number, held = 0) {
  const cycle = cycleOf({ allocations: held ? [running('x', 'hydro-h100', held, { endS: T0 + 600 })] : [] });
  const j = job('j', { gang, options: [{ accelerator: 'H100', perMember }] });
  const o = optionOf(cycle, j, 'hydro-h100');
  return {
    status: capacityFit().filter(cycle, j, o),
    waitS: Number.isFinite(o.startS) ? o.estimate().waitS : Number.NaN,
  };
}

describe('capacity-fit', () => {
  it('passes a gang that fits the pool now', () => {
    expect(check(8, 4)).toEqual({ status: null, waitS: 0 });
  });

  it('passes a gang that fits once held accelerators come back, with the wait in the estimate', () => {
    expect(check(8, 2, 24)).toEqual({ status: null, waitS: 600 });
  });

  it('rejects a gang larger than the pool as unresolvable', () => {
    expect(check(8, 5).status).toEqual({
      code: 'unresolvable',
      reason: 'needs 40 H100 (5 × 8) in one pool; pool hydro-h100 has 32',
    });
  });
});
