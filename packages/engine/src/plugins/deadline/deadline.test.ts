import { describe, expect, it } from 'vitest';
import { cycleOf, job, optionOf, T0 } from '../../network.fixture.ts';
import { deadline } from './deadline.ts';

const cycle = cycleOf();

function check(deadlineS: number | undefined) {
  const j = job('j', deadlineS === undefined ? {} : { deadlineS });
  return deadline().filter(cycle, j, optionOf(cycle, j, 'west-h100'));
}

describe('deadline', () => {
  it('passes jobs without a deadline and jobs that end in time', () => {
    expect(check(undefined)).toBeNull();
    expect(check(T0 + 3600)).toBeNull();
  });

  it('rejects a run that would end after the deadline, by how much', () => {
    expect(check(T0 + 1800)).toEqual({ code: 'unschedulable', reason: 'would end 30 min after the deadline' });
  });
});
