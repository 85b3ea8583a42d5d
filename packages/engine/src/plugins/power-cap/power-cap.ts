import { budgetMaxKw } from '../../domain/power.ts';
import { formatNumber } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { levelName } from '../../framework/power-levels.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';

export const POWER_CAP = 'power-cap';

/**
 * Keeps every level of the power-budget tree (grid region → site → hall/pool) under its budget,
 * hour by hour (docs/design/power.md). A level draws its fixed load (the idle power of all its
 * accelerators × PUE, and base loads) plus, for each job beneath it, the job's power over idle ×
 * PUE. A job whose increment exceeds what a level's largest budget leaves over its fixed load is
 * unresolvable there; one that fits only later (running jobs end, the budget rises, a grid event
 * ends) waits: the cycle's earliest start already accounts for it, and names the binding level.
 */
export function powerCap(): FilterPlugin {
  return {
    name: POWER_CAP,
    filter(cycle, _job, o) {
      for (const level of o.pool.levels) {
        const headroomKw = budgetMaxKw(level.budget) - level.fixedKw;
        if (o.incrementKw > headroomKw) {
          return unresolvable(
            `needs ${formatNumber(o.incrementKw)} kW over idle; ${levelName(level)}'s budget of at most ${formatNumber(budgetMaxKw(level.budget))} kW leaves ${formatNumber(Math.max(0, headroomKw))} kW`,
          );
        }
      }
      if (!Number.isFinite(o.earliestS) && o.boundBy === 'power') {
        const binding = cycle.bindingLevel(o.pool, o.incrementKw, cycle.nowS, o.durationS);
        const where = binding ? `under ${levelName(binding.level)}'s budget` : 'under the budgets';
        return unschedulable(
          `needs ${formatNumber(o.incrementKw)} kW; ${formatNumber(Math.max(0, binding?.freeKw ?? 0))} kW free ${where}`,
        );
      }
      return null;
    },
  };
}
