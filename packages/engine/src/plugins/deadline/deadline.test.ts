import { describe, expect, it } from 'vitest';
import { Candidate } from '../../framework/candidate.ts';
import { Cycle } from '../../framework/cycle.ts';
import { job, T0, testNetwork } from '../../network.fixture.ts';
import { seededRng } from '../../rng.ts';
import { deadline } from './deadline.ts';

const cycle = new Cycle({ network: testNetwork(), allocations: [], queue: [] }, T0, seededRng(1));
const pool = cycle.net.poolById.get('west-h100');

function check(deadlineS: number | undefined) {
  if (!pool) throw new Error('pool');
  const j = job('j', deadlineS === undefined ? {} : { deadlineS });
  return deadline.filterPool(cycle, j, new Candidate(cycle, j, pool, { accelerator: 'H100', perMember: 8 }));
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
