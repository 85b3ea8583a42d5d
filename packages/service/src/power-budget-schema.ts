import { overlappingWindows, type PowerBudget, type PowerWindow } from '@suanli/engine';
import { z } from 'zod';
import { int, LIMITS, list, num, text } from './limits.ts';
import type { FieldPath } from './text-input.ts';

/** An instant: ISO 8601 with a zone (`2026-12-01T18:00:00+08:00`), or seconds since 1970. */
export const instant = z.union([
  int(0, 4_102_444_800),
  text(64).refine((s) => Number.isFinite(Date.parse(s)) && /[zZ]|[+-]\d\d:?\d\d$/.test(s), {
    message: 'an ISO 8601 time with its zone, like 2026-12-01T18:00:00+08:00',
  }),
]);

/** Seconds since 1970 of an `instant`. */
export function instantS(v: z.infer<typeof instant>): number {
  return typeof v === 'number' ? v : Math.floor(Date.parse(v) / 1000);
}

const kw = num(0, LIMITS.powerKw);

/** A window of a contracted schedule: from, to, the kW in force. */
export const powerWindowSchema = z.strictObject({ from: instant, to: instant, kw });

/**
 * A power budget as files write it: a flat `kw` or 24 values `kwByHour` (local time), a seasonal
 * `monthPct` (12 values, January first), contracted `schedule` windows, and a `baseLoadKw`.
 */
export const powerBudgetSchema = z.strictObject({
  kw: kw.optional(),
  kwByHour: z.array(kw).length(24).optional(),
  monthPct: z.array(num(0, 1000)).length(12).optional(),
  schedule: list(powerWindowSchema, LIMITS.powerWindows).optional(),
  baseLoadKw: kw.optional(),
});

export type PowerBudgetInput = z.infer<typeof powerBudgetSchema>;

/** A problem with a budget: where in it (relative to the budget) and what. */
export interface BudgetProblem {
  readonly at: FieldPath;
  readonly message: string;
}

/**
 * The engine's budget from a file's, or the first problem: neither or both of `kw` and
 * `kwByHour`, a window that ends before it starts, windows that overlap.
 */
export function compileBudget(b: PowerBudgetInput): PowerBudget | BudgetProblem {
  if ((b.kw === undefined) === (b.kwByHour === undefined)) {
    return { at: [], message: 'give kw (flat) or kwByHour (24 values), one of them' };
  }
  const schedule: PowerWindow[] = [];
  for (const [i, w] of (b.schedule ?? []).entries()) {
    const fromS = instantS(w.from);
    const toS = instantS(w.to);
    if (toS <= fromS) return { at: ['schedule', i, 'to'], message: 'must be after from' };
    schedule.push({ fromS, toS, kw: w.kw });
  }
  const clash = overlappingWindows(schedule);
  if (clash) {
    return { at: ['schedule', clash[1]], message: `overlaps window ${clash[0]}: contracted windows may not overlap` };
  }
  schedule.sort((x, y) => x.fromS - y.fromS);
  return {
    kwByHour: b.kwByHour ?? [b.kw ?? 0],
    ...(b.monthPct ? { monthPct: b.monthPct } : {}),
    ...(schedule.length > 0 ? { schedule } : {}),
    ...(b.baseLoadKw !== undefined ? { baseLoadKw: b.baseLoadKw } : {}),
  };
}

export function isProblem(x: PowerBudget | BudgetProblem): x is BudgetProblem {
  return 'message' in x;
}
