import { describe, expect, it } from 'vitest';
import { greatCircleKm, modelLatencyMs } from './geo.ts';

describe('geo', () => {
  it('measures great-circle distances', () => {
    // Beijing to Shanghai is about 1,067 km.
    expect(greatCircleKm(39.9042, 116.4074, 31.2304, 121.4737)).toBeCloseTo(1067, -1);
    expect(greatCircleKm(10, 20, 10, 20)).toBe(0);
  });

  it('estimates one-way latency with a floor for metro pairs', () => {
    // 1,000 km on the IP private network: 1000 × 4.897 µs × 2.75 = 13.47 ms.
    expect(modelLatencyMs(1000, 2.75, 1)).toBeCloseTo(13.47, 2);
    expect(modelLatencyMs(20, 2.75, 1)).toBe(1);
  });
});
