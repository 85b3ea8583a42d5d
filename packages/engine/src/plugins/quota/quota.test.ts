import { describe, expect, it } from 'vitest';
import { Cycle } from '../../framework/cycle.ts';
import { job, optionOf, queuedNetwork, running, T0 } from '../../network.fixture.ts';
import { quota } from './quota.ts';
import { headroom, isBorrowing } from './quota-math.ts';

function cycleWith(network = queuedNetwork(), allocations = [running('x', 'west-h100', 0)]) {
  return new Cycle({ network, allocations, queue: [] }, T0);
}
const cq = (c: Cycle, name: string) => {
  const q = c.net.clusterQueues.get(name);
  if (!q) throw new Error(name);
  return q;
};

describe('quota', () => {
  it('lets a queue borrow what its cohort does not use', () => {
    const c = cycleWith(queuedNetwork(), [running('r1', 'west-h100', 40, { tenant: 'r' })]);
    expect(headroom(c, cq(c, 'research'), 'H100')).toMatchObject({
      nominal: 32,
      used: 40,
      available: 24,
      cohortFree: 24,
    });
    expect(isBorrowing(c, cq(c, 'research'), 'H100')).toBe(true);
    // Industry is entitled to its whole nominal, but only 24 are free in the cohort now.
    expect(headroom(c, cq(c, 'industry'), 'H100')).toMatchObject({ used: 0, available: 24 });
  });

  it('keeps what a queue does not lend, and caps borrowing', () => {
    const lending = queuedNetwork({ research: { lendingLimit: 8 } });
    const c = cycleWith(lending, [running('i1', 'west-h100', 40, { tenant: 'i' })]);
    // Research keeps 24 for itself; of the pool (8 + 32 = 40) industry took 40.
    expect(headroom(c, cq(c, 'research'), 'H100').available).toBe(24);
    const capped = cycleWith(queuedNetwork({ research: { borrowingLimit: 4 } }));
    expect(headroom(capped, cq(capped, 'research'), 'H100').available).toBe(36);
  });

  it('filters options beyond the headroom, with the figures, and leaves tenants without a queue alone', () => {
    const c = cycleWith(queuedNetwork(), [running('r1', 'west-h100', 56, { tenant: 'r' })]);
    const plugin = quota();
    const j = job('j', { tenant: 'r', options: [{ accelerator: 'H100', perMember: 16 }] });
    expect(plugin.preFilter(c, j)).toBeNull();
    expect(plugin.filter(c, j, optionOf(c, j, 'hydro-h100'))).toEqual({
      code: 'unschedulable',
      reason: 'cluster queue research: 56 H100 in use of nominal 32, cohort national has 8 to lend; needs 16',
    });
    const free = job('k', { tenant: 'free', options: [{ accelerator: 'H100', perMember: 16 }] });
    expect(plugin.filter(c, free, optionOf(c, free, 'hydro-h100'))).toBeNull();
  });

  it('rejects a job whose queue has no quota for any type it accepts', () => {
    const c = cycleWith();
    const a100 = job('j', { tenant: 'r', options: [{ accelerator: 'A100', perMember: 8 }] });
    expect(quota().preFilter(c, a100)).toEqual({
      code: 'unresolvable',
      reason: 'cluster queue research has no quota for A100',
    });
  });

  it('keeps a job that may not borrow (a guaranteed replica) within the nominal quota; others borrow', () => {
    // Research uses 32 of its nominal 32 H100; the cohort has 24 to lend.
    const c = cycleWith(queuedNetwork(), [running('r1', 'west-h100', 32, { tenant: 'r' })]);
    const q = quota();
    const burst = job('burst', { tenant: 'r', kind: 'serve', options: [{ accelerator: 'H100', perMember: 8 }] });
    const guaranteed = { ...burst, id: 'guaranteed', withinNominal: true };
    expect(q.filter(c, burst, optionOf(c, burst, 'west-h100'))).toBeNull();
    expect(q.filter(c, guaranteed, optionOf(c, guaranteed, 'west-h100'))?.reason).toBe(
      'cluster queue research: 32 H100 in use of nominal 32; a guaranteed replica borrows nothing and needs 8',
    );
  });
});
