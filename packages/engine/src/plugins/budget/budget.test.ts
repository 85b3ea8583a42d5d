import { describe, expect, it } from 'vitest';
import { Candidate } from '../../framework/candidate.ts';
import { Cycle } from '../../framework/cycle.ts';
import { job, T0, testNetwork } from '../../network.fixture.ts';
import { seededRng } from '../../rng.ts';
import { budget } from './budget.ts';

const cycle = new Cycle({ network: testNetwork(), allocations: [], queue: [] }, T0, seededRng(1));
const pool = cycle.net.poolById.get('west-h100');

function check(budgetCny: number) {
  if (!pool) throw new Error('pool');
  const j = job('j', { budgetCny });
  return budget.filterPool(cycle, j, new Candidate(cycle, j, pool, { accelerator: 'H100', perMember: 8 }));
}

describe('budget', () => {
  // 8 H100-hours at 10 CNY + 8.709 kWh at 0.4 CNY = 83.48 CNY.
  it('passes a candidate within the budget', () => {
    expect(check(84)).toBeNull();
  });

  it('rejects a candidate above it, with both figures', () => {
    expect(check(80)).toEqual({ code: 'unschedulable', reason: 'estimated 83 CNY exceeds the budget of 80 CNY' });
  });
});
