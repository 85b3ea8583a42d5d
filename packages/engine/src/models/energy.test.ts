import { describe, expect, it } from 'vitest';
import { H100 } from '../network.fixture.ts';
import { facilityEnergyKwh, itPowerKw } from './energy.ts';

describe('energy model', () => {
  it('draws measured fractions of TDP by job kind, plus the host share', () => {
    // 8 × 700 W × 0.96 × 1.35 = 7.2576 kW for training.
    expect(itPowerKw(H100, 'train', 8)).toBeCloseTo(7.2576, 4);
    // Serving draws far less: 0.27 of TDP.
    expect(itPowerKw(H100, 'serve', 8) / itPowerKw(H100, 'train', 8)).toBeCloseTo(0.27 / 0.96, 6);
  });

  it('multiplies IT energy by PUE and hours', () => {
    expect(facilityEnergyKwh(H100, 'train', 8, 7200, 1.25)).toBeCloseTo(7.2576 * 1.25 * 2, 4);
  });
});
