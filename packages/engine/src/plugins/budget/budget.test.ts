import { describe, expect, it } from 'vitest';
import { cycleOf, job, optionOf } from '../../network.fixture.ts';
import { budget } from './budget.ts';

const cycle = cycleOf();

function check(budgetCny: number) {
  const j = job('j', { budgetCny });
  return budget().filter(cycle, j, optionOf(cycle, j, 'west-h100'));
}

describe('budget', () => {
  // 8 H100-hours at 10 CNY + 8.709 kWh at 0.4 CNY = 83.48 CNY.
  it('passes an option within the budget', () => {
    expect(check(84)).toBeNull();
  });

  it('rejects an option above it, with both figures', () => {
    expect(check(80)).toEqual({ code: 'unschedulable', reason: 'estimated 83 CNY exceeds the budget of 80 CNY' });
  });
});
