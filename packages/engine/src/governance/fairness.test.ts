import { describe, expect, it } from 'vitest';
import { type FairnessRow, fairnessReport } from './fairness.ts';

const rows = (group: string, labels: number[], predictions: number[]): FairnessRow[] =>
  labels.map((label, i) => ({ group, label: label as 0 | 1, prediction: predictions[i] as 0 | 1 }));

// Worked by hand:
//   group a: y = 1 1 1 0 0 0, ŷ = 1 1 0 1 0 0 → SR 3/6 = 0.5, TPR 2/3, FPR 1/3
//   group b: y = 1 1 0 0,     ŷ = 1 0 0 0     → SR 1/4 = 0.25, TPR 1/2, FPR 0
//   demographic parity difference = 0.5 − 0.25 = 0.25 (Fairlearn; AIF360's statistical parity
//     difference with a privileged is 0.25 − 0.5 = −0.25)
//   equalized odds difference = max(2/3 − 1/2, 1/3 − 0) = 1/3
//   disparate impact ratio = 0.25 / 0.5 = 0.5 (AIF360's disparate_impact with a privileged: the same)
const example = [...rows('a', [1, 1, 1, 0, 0, 0], [1, 1, 0, 1, 0, 0]), ...rows('b', [1, 1, 0, 0], [1, 0, 0, 0])];

describe('fairness audit', () => {
  it('matches the hand-worked example', () => {
    const r = fairnessReport(example, {
      minDisparateImpactRatio: 0.8,
      maxDemographicParityDifference: 0.1,
      maxEqualizedOddsDifference: 0.1,
      minGroupSize: 1,
    });
    expect(r.groups).toEqual([
      { group: 'a', count: 6, selectionRate: 0.5, truePositiveRate: 2 / 3, falsePositiveRate: 1 / 3 },
      { group: 'b', count: 4, selectionRate: 0.25, truePositiveRate: 0.5, falsePositiveRate: 0 },
    ]);
    expect(r.demographicParityDifference).toBeCloseTo(0.25, 12);
    expect(r.equalizedOddsDifference).toBeCloseTo(1 / 3, 12);
    expect(r.disparateImpactRatio).toBeCloseTo(0.5, 12);
    expect(r.passed).toBe(false);
    expect(r.failures).toHaveLength(3);
  });

  it('passes a classifier that treats groups alike, and fails groups too small to judge', () => {
    const fair = [
      ...rows(
        'x',
        Array(40)
          .fill(0)
          .map((_, i) => i % 2),
        Array(40)
          .fill(0)
          .map((_, i) => i % 2),
      ),
      ...rows(
        'y',
        Array(40)
          .fill(0)
          .map((_, i) => i % 2),
        Array(40)
          .fill(0)
          .map((_, i) => i % 2),
      ),
    ];
    const r = fairnessReport(fair);
    expect(r).toMatchObject({
      demographicParityDifference: 0,
      equalizedOddsDifference: 0,
      disparateImpactRatio: 1,
      passed: true,
    });
    const small = fairnessReport([...fair, ...rows('z', [1, 0], [1, 0])]);
    expect(small.passed).toBe(false);
    expect(small.failures).toContain('group z has 2 rows, fewer than 30');
  });

  it('leaves a group without positives out of the TPR difference', () => {
    const r = fairnessReport([...rows('a', [1, 0], [1, 0]), ...rows('b', [0, 0], [0, 1])], {
      ...{
        minDisparateImpactRatio: 0,
        maxDemographicParityDifference: 1,
        maxEqualizedOddsDifference: 1,
        minGroupSize: 1,
      },
    });
    expect(r.groups[1]?.truePositiveRate).toBeNull();
    expect(r.equalizedOddsDifference).toBeCloseTo(0.5, 12); // FPR: 0 vs 0.5
  });
});
