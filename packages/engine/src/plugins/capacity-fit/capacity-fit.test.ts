import { describe, expect, it } from 'vitest';
import { Candidate } from '../../framework/candidate.ts';
import { Cycle } from '../../framework/cycle.ts';
import { job, T0, testNetwork } from '../../network.fixture.ts';
import { seededRng } from '../../rng.ts';
import { capacityFit } from './capacity-fit.ts';

const network = testNetwork();

function check(perMember: number, gang: number, held = 0) {
  const allocations = held ? [{ jobId: 'x', poolId: 'hydro-h100', count: held, startS: T0, endS: T0 + 600 }] : [];
  const cycle = new Cycle({ network, allocations, queue: [] }, T0, seededRng(1));
  const pool = cycle.net.poolById.get('hydro-h100');
  if (!pool) throw new Error('pool');
  const j = job('j', { gang, options: [{ accelerator: 'H100', perMember }] });
  const c = new Candidate(cycle, j, pool, { accelerator: 'H100', perMember });
  return { status: capacityFit.filterPool(cycle, j, c), waitS: c.estimate().waitS };
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
