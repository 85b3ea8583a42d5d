/**
 * Group fairness of a binary classifier, from its predictions, the true labels and a sensitive
 * attribute. Conventions (ours, stated because the toolkits differ):
 *
 * - selection rate of a group: P(ŷ = 1 | A = a); TPR: P(ŷ = 1 | y = 1, A = a); FPR: P(ŷ = 1 | y = 0, A = a).
 * - demographic parity difference = max_a SR − min_a SR, ≥ 0 (Fairlearn's
 *   `demographic_parity_difference`). AIF360's `statistical_parity_difference` is signed,
 *   SR(unprivileged) − SR(privileged): for two groups it is minus ours when the privileged group
 *   has the higher rate.
 * - equalized odds difference = max(max_a TPR − min_a TPR, max_a FPR − min_a FPR), ≥ 0 (Fairlearn).
 * - disparate impact ratio = min_a SR ÷ max_a SR, in [0, 1] (Fairlearn's `demographic_parity_ratio`;
 *   AIF360's `disparate_impact` is SR(unprivileged) ÷ SR(privileged), which can exceed 1).
 *
 * A group with no positives (or no negatives) has no TPR (FPR) and is left out of that difference.
 */
export interface FairnessRow {
  readonly prediction: 0 | 1;
  readonly label: 0 | 1;
  readonly group: string;
}

export interface GroupRates {
  readonly group: string;
  readonly count: number;
  readonly selectionRate: number;
  readonly truePositiveRate: number | null;
  readonly falsePositiveRate: number | null;
}

export interface FairnessThresholds {
  /** Four-fifths rule (29 CFR 1607.4(D)), borrowed as a default. */
  readonly minDisparateImpactRatio: number;
  readonly maxDemographicParityDifference: number;
  readonly maxEqualizedOddsDifference: number;
  /** Smaller groups make the audit fail: their rates mean little. */
  readonly minGroupSize: number;
}

export const DEFAULT_FAIRNESS_THRESHOLDS: FairnessThresholds = {
  minDisparateImpactRatio: 0.8,
  maxDemographicParityDifference: 0.1,
  maxEqualizedOddsDifference: 0.1,
  minGroupSize: 30,
};

export interface FairnessReport {
  readonly rows: number;
  readonly groups: readonly GroupRates[];
  readonly demographicParityDifference: number;
  readonly equalizedOddsDifference: number;
  readonly disparateImpactRatio: number;
  readonly passed: boolean;
  /** Why it did not pass. */
  readonly failures: readonly string[];
  readonly thresholds: FairnessThresholds;
}

function spread(values: readonly (number | null)[]): number {
  const v = values.filter((x): x is number => x !== null);
  return v.length < 2 ? 0 : Math.max(...v) - Math.min(...v);
}

export function fairnessReport(
  rows: readonly FairnessRow[],
  thresholds: FairnessThresholds = DEFAULT_FAIRNESS_THRESHOLDS,
): FairnessReport {
  const byGroup = new Map<string, { n: number; sel: number; pos: number; tp: number; neg: number; fp: number }>();
  for (const r of rows) {
    let g = byGroup.get(r.group);
    if (!g) {
      g = { n: 0, sel: 0, pos: 0, tp: 0, neg: 0, fp: 0 };
      byGroup.set(r.group, g);
    }
    g.n++;
    g.sel += r.prediction;
    if (r.label === 1) {
      g.pos++;
      g.tp += r.prediction;
    } else {
      g.neg++;
      g.fp += r.prediction;
    }
  }
  const groups: GroupRates[] = [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, g]) => ({
      group,
      count: g.n,
      selectionRate: g.sel / g.n,
      truePositiveRate: g.pos > 0 ? g.tp / g.pos : null,
      falsePositiveRate: g.neg > 0 ? g.fp / g.neg : null,
    }));
  const rates = groups.map((g) => g.selectionRate);
  const maxRate = rates.length > 0 ? Math.max(...rates) : 0;
  const demographicParityDifference = spread(rates);
  const equalizedOddsDifference = Math.max(
    spread(groups.map((g) => g.truePositiveRate)),
    spread(groups.map((g) => g.falsePositiveRate)),
  );
  const disparateImpactRatio = maxRate > 0 ? Math.min(...rates) / maxRate : 1;
  const failures: string[] = [];
  if (groups.length < 2) failures.push('fewer than two groups: nothing to compare');
  for (const g of groups) {
    if (g.count < thresholds.minGroupSize)
      failures.push(`group ${g.group} has ${g.count} rows, fewer than ${thresholds.minGroupSize}`);
  }
  if (disparateImpactRatio < thresholds.minDisparateImpactRatio) {
    failures.push(`disparate impact ratio ${disparateImpactRatio.toFixed(3)} < ${thresholds.minDisparateImpactRatio}`);
  }
  if (demographicParityDifference > thresholds.maxDemographicParityDifference) {
    failures.push(
      `demographic parity difference ${demographicParityDifference.toFixed(3)} > ${thresholds.maxDemographicParityDifference}`,
    );
  }
  if (equalizedOddsDifference > thresholds.maxEqualizedOddsDifference) {
    failures.push(
      `equalized odds difference ${equalizedOddsDifference.toFixed(3)} > ${thresholds.maxEqualizedOddsDifference}`,
    );
  }
  return {
    rows: rows.length,
    groups,
    demographicParityDifference,
    equalizedOddsDifference,
    disparateImpactRatio,
    passed: failures.length === 0,
    failures,
    thresholds,
  };
}
