import type { PowerBudget, PowerRegion, Site } from '@suanli/engine';
import { z } from 'zod';
import { num, text } from './limits.ts';
import { compileBudget, isProblem, type PowerBudgetInput, powerBudgetSchema } from './power-budget-schema.ts';
import type { FieldPath } from './text-input.ts';

/** A grid region of the network file: its province's sites share its budget. */
export const regionSchema = z.strictObject({
  id: text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, like sichuan'),
  name: text(256).min(1),
  /** Sites whose `province` is this belong to the region. */
  province: text(256).min(1),
  utcOffsetH: num(-12, 14).optional(),
  budget: powerBudgetSchema,
});

type Fail = (path: FieldPath, message: string) => Error;

/** A budget of the file, or the error naming where it is wrong. */
export function budgetAt(input: PowerBudgetInput, at: FieldPath, fail: Fail): PowerBudget {
  const b = compileBudget(input);
  if (isProblem(b)) throw fail([...at, ...b.at], b.message);
  return b;
}

/** The regions, each with at least one site in its province, ids and provinces unique. */
export function compileRegions(
  regions: readonly z.infer<typeof regionSchema>[] | undefined,
  sites: readonly Site[],
  defaultOffsetH: number,
  fail: Fail,
): PowerRegion[] {
  const ids = new Set<string>();
  const provinces = new Set<string>();
  return (regions ?? []).map((r, i) => {
    if (ids.has(r.id)) throw fail(['regions', i, 'id'], `duplicate region id ${r.id}`);
    if (provinces.has(r.province)) throw fail(['regions', i, 'province'], `a second region for ${r.province}`);
    ids.add(r.id);
    provinces.add(r.province);
    if (!sites.some((s) => s.province === r.province)) {
      throw fail(['regions', i, 'province'], `no site is in ${r.province}`);
    }
    return {
      id: r.id,
      name: r.name,
      province: r.province,
      utcOffsetH: r.utcOffsetH ?? defaultOffsetH,
      budget: budgetAt(r.budget, ['regions', i, 'budget'], fail),
    };
  });
}
