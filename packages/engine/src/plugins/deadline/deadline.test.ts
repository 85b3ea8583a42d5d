import { describe, expect, it } from 'vitest';
import { cycleOf, job, optionOf, running, T0 } from '../../network.fixture.ts';
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

  it('rejects a run that would end after the deadline for now, while a start now could still make it', () => {
    // The west pool is busy for two hours; the deadline needs a start within an hour and a half.
    const busy = cycleOf({ allocations: [running('r', 'west-h100', 64, { endS: T0 + 7200 })] });
    const j = job('j', { deadlineS: T0 + 2.5 * 3600 });
    expect(deadline().filter(busy, j, optionOf(busy, j, 'west-h100'))).toEqual({
      code: 'unschedulable',
      reason: 'would end 30 min after the deadline',
    });
  });

  it('rejects a type too slow for the deadline while a faster one could still make it', () => {
    const j = job('j', {
      deadlineS: T0 + 1.5 * 3600,
      options: [
        { accelerator: 'H100', perMember: 8 },
        { accelerator: 'A100', perMember: 8 },
      ],
    });
    const slow = optionOf(cycle, j, 'east-a100');
    expect(slow.durationS).toBeGreaterThan(1.5 * 3600);
    expect(deadline().filter(cycle, j, slow)).toMatchObject({
      code: 'unschedulable',
      reason: expect.stringContaining('cannot end by the deadline here'),
    });
    expect(deadline().filter(cycle, j, optionOf(cycle, j, 'west-h100'))).toBeNull();
  });

  it('lets the job run as soon as it can once no start could meet the deadline any more', () => {
    expect(check(T0 + 1800)).toBeNull();
  });
});
