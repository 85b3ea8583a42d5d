import { describe, expect, it } from 'vitest';
import { cycleOf, job, optionOf, running, T0 } from '../../network.fixture.ts';
import { carbonScore } from '../carbon-score/carbon-score.ts';
import { timeScore } from '../time-score/time-score.ts';
import { costScore } from './cost-score.ts';

const cycle = cycleOf({ allocations: [running('x', 'west-h100', 60, { endS: T0 + 900 })] });
const j = job('j');

describe('score plug-ins', () => {
  it('cost-score measures accelerator-hours at the pool price plus energy at the tariff', () => {
    // 8 × 18 CNY + 8 × 0.7 kW × 0.96 × 1.35 × PUE 1.35 × 0.75 CNY/kWh.
    expect(costScore().measure(cycle, j, optionOf(cycle, j, 'east-h100'))).toBeCloseTo(144 + 7.2576 * 1.35 * 0.75, 6);
  });

  it('carbon-score measures facility energy times the grid factor', () => {
    expect(carbonScore().measure(cycle, j, optionOf(cycle, j, 'hydro-h100'))).toBeCloseTo(7.2576 * 1.2 * 0.14, 6);
  });

  it('time-score measures the time to completion, wait included', () => {
    expect(timeScore().measure(cycle, j, optionOf(cycle, j, 'west-h100'))).toBe(900 + 3600);
  });
});
