import { formatNumber } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { levelName, type PowerLevel } from '../../framework/power-levels.ts';
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
      const levels = o.pool.levels;
      for (let i = 0; i < levels.length; i++) {
        const level = levels[i] as PowerLevel;
        const headroomKw = level.maxKw - level.fixedKw;
        if (o.incrementKw > headroomKw) {
          return unresolvable(
            `needs ${formatNumber(o.incrementKw)} kW over idle; ${levelName(level)}'s budget of at most ${formatNumber(level.maxKw)} kW leaves ${formatNumber(Math.max(0, headroomKw))} kW`,
          );
        }
      }
      if (!Number.isFinite(o.earliestS) && o.boundBy === 'power') {
        // The level with the least free now (a cheap look: this runs for every option held back).
        let least = levels[0] as PowerLevel;
        let leastKw = cycle.power.freeAt(least, cycle.nowS);
        for (let i = 1; i < levels.length; i++) {
          const kw = cycle.power.freeAt(levels[i] as PowerLevel, cycle.nowS);
          if (kw < leastKw) {
            least = levels[i] as PowerLevel;
            leastKw = kw;
          }
        }
        return unschedulable(
          `needs ${formatNumber(o.incrementKw)} kW; ${formatNumber(Math.max(0, leastKw))} kW free under ${levelName(least)}'s budget`,
        );
      }
      return null;
    },
  };
}
