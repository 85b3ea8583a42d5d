import { describe, expect, it } from 'vitest';
import { Candidate } from '../../framework/candidate.ts';
import { Cycle } from '../../framework/cycle.ts';
import { job, T0, testNetwork } from '../../network.fixture.ts';
import { seededRng } from '../../rng.ts';
import { carbonScore } from '../carbon-score/carbon-score.ts';
import { timeScore } from '../time-score/time-score.ts';
import { costScore } from './cost-score.ts';

const cycle = new Cycle(
  {
    network: testNetwork(),
    allocations: [{ jobId: 'x', poolId: 'west-h100', count: 60, startS: T0, endS: T0 + 900 }],
    queue: [],
  },
  T0,
  seededRng(1),
);

function candidate(poolId: string) {
  const pool = cycle.net.poolById.get(poolId);
  if (!pool) throw new Error(poolId);
  const j = job('j');
  return { j, c: new Candidate(cycle, j, pool, { accelerator: 'H100', perMember: 8 }) };
}

describe('score plug-ins', () => {
  it('cost-score measures accelerator-hours at the pool price plus energy at the tariff', () => {
    const { j, c } = candidate('east-h100');
    // 8 × 18 CNY + 8 × 0.7 kW × 0.96 × 1.35 × PUE 1.35 × 0.75 CNY/kWh.
    expect(costScore.measure(cycle, j, c)).toBeCloseTo(144 + 7.2576 * 1.35 * 0.75, 6);
  });

  it('carbon-score measures facility energy times the grid factor', () => {
    const { j, c } = candidate('hydro-h100');
    expect(carbonScore.measure(cycle, j, c)).toBeCloseTo(7.2576 * 1.2 * 0.14, 6);
  });

  it('time-score measures the time to completion, wait included', () => {
    const { j, c } = candidate('west-h100');
    expect(timeScore.measure(cycle, j, c)).toBe(900 + 3600);
  });
});
