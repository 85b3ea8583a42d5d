import { describe, expect, it } from 'vitest';
import { seededRng } from '../rng.ts';
import { type PerJobModel, planCost } from './model.ts';
import { bruteForce, handModel } from './optimizer.fixture.ts';
import { improvePlan, lagrangian, planByPrices, pricedPlan } from './prices.ts';

/** Random small models: `jobs` jobs of 1–3 columns over `rows` rows of capacity 2–5, uses 1–3. */
function randomModel(seed: number, jobs: number, rows: number): PerJobModel {
  const rng = seededRng(seed);
  const pick = (n: number) => Math.floor(rng.next() * n);
  return handModel(
    Array.from({ length: jobs }, () =>
      Array.from({ length: 1 + pick(3) }, () => ({
        cost: 1 + rng.next() * 2.5,
        uses: [...new Set(Array.from({ length: 1 + pick(2) }, () => pick(rows)))].map(
          (r) => [r, 1 + pick(3)] as [number, number],
        ),
      })),
    ),
    Array.from({ length: rows }, () => 2 + pick(4)),
  );
}

/** Whether a plan keeps every row within its bound. */
function fits(model: PerJobModel, chosen: Int32Array): boolean {
  const used = new Float64Array(model.rowUpper.length);
  for (const c of chosen) {
    if (c < 0) continue;
    for (let e = model.entryStart[c] as number; e < (model.entryStart[c + 1] as number); e++) {
      const r = model.entryRow[e] as number;
      used[r] = (used[r] as number) + (model.entryCoef[e] as number);
    }
  }
  return used.every((u, r) => u <= (model.rowUpper[r] as number) + 1e-9);
}

describe('planning by prices', () => {
  it('bounds the optimum from below at any prices (checked against every plan of small models)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const model = randomModel(seed, 7, 3);
      const optimum = bruteForce(model).cost;
      const rng = seededRng(1000 + seed);
      for (let k = 0; k < 20; k++) {
        const lambda = Float64Array.from(model.rowUpper, () => rng.next() * (k % 4 === 0 ? 5 : 0.5));
        expect(lagrangian(model, lambda)).toBeLessThanOrEqual(optimum + 1e-9);
      }
      expect(lagrangian(model, new Float64Array(model.rowUpper.length))).toBeLessThanOrEqual(optimum + 1e-9);
    }
  });

  it('reports a true bound and a plan that fits, close to the optimum', () => {
    let worst = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const model = randomModel(seed, 8, 3);
      const optimum = bruteForce(model).cost;
      const r = planByPrices(model, 1);
      expect(r.bound).toBeLessThanOrEqual(optimum + 1e-9);
      expect(r.objective).toBeGreaterThanOrEqual(optimum - 1e-9);
      expect(r.objective).toBeCloseTo(planCost(model, r.chosen), 9);
      expect(fits(model, r.chosen)).toBe(true);
      worst = Math.max(worst, (r.objective - optimum) / optimum);
    }
    // Small models have large integrality gaps; the plans still stay near the optimum.
    expect(worst).toBeLessThan(0.15);
  });

  it('finds the optimum and proves it where the prices clear the rows', () => {
    // Two jobs want the one slot of row 0; the second has a near alternative, the first does not.
    const model = handModel(
      [
        [
          { cost: 1, uses: [[0, 1]] },
          { cost: 3, uses: [[1, 1]] },
        ],
        [
          { cost: 1, uses: [[0, 1]] },
          { cost: 1.2, uses: [[1, 1]] },
        ],
      ],
      [1, 1],
    );
    const r = planByPrices(model, 0);
    expect(r.objective).toBeCloseTo(2.2, 9);
    expect(r.bound).toBeCloseTo(2.2, 6);
    expect([...r.chosen]).toEqual([0, 3]);
  });

  it('never over-fills a row when it plans from prices or improves a plan', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const model = randomModel(seed, 12, 4);
      const rng = seededRng(seed);
      const lambda = Float64Array.from(model.rowUpper, () => rng.next());
      for (const byRegret of [false, true]) {
        const chosen = pricedPlan(model, lambda, byRegret);
        expect(fits(model, chosen)).toBe(true);
        const before = planCost(model, chosen);
        improvePlan(model, chosen);
        expect(fits(model, chosen)).toBe(true);
        expect(planCost(model, chosen)).toBeLessThanOrEqual(before + 1e-9);
      }
    }
  });
});
