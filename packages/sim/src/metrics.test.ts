import { describe, expect, it } from 'vitest';
import { Column, distribution, jainIndex, Track } from './metrics.ts';

describe('metrics', () => {
  it('gives the average and nearest-rank percentiles', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(distribution(values)).toEqual({ avg: 50.5, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(distribution(new Float64Array(0))).toEqual({ avg: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it("computes Jain's index: 1 when equal, 1/n when one tenant has everything", () => {
    expect(jainIndex([3, 3, 3])).toBeCloseTo(1);
    expect(jainIndex([1, 0, 0, 0])).toBeCloseTo(0.25);
    expect(jainIndex([])).toBe(1);
  });

  it('integrates a piecewise-constant amount into time buckets', () => {
    const t = new Track(0, 100);
    t.set(0, 2); // 2 over [0, 150)
    t.set(150, 4); // 4 over [150, 300)
    expect(t.means(300, 100)).toEqual([2, 3, 4]);
    expect(t.total).toBe(2 * 150 + 4 * 150);
  });

  it('merges buckets in pairs when a series would grow past 1,000 of them', () => {
    const t = new Track(0, 1);
    t.set(0, 1);
    t.advance(5000);
    expect(t.bucketS).toBe(8);
    const means = t.means(5000, 8);
    expect(means.length).toBe(625);
    expect(means.every((m) => m === 1)).toBe(true);
  });

  it('grows a column without losing values', () => {
    const c = new Column();
    for (let i = 0; i < 3000; i++) c.push(i);
    expect(c.length).toBe(3000);
    expect(c.values()[2999]).toBe(2999);
  });
});
