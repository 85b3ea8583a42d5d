import { formatNumber } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';

export const POWER_CAP = 'power-cap';

/**
 * Keeps every site under its power cap. The site draws the idle power of all its accelerators
 * plus, for each job, its accelerators' active power over idle, all times PUE. A job whose extra
 * power alone exceeds what the cap leaves over idle is unresolvable there; one that fits only after
 * running jobs end waits (the cycle's earliest start already accounts for it).
 */
export function powerCap(): FilterPlugin {
  return {
    name: POWER_CAP,
    filter(cycle, _job, o) {
      const site = o.site;
      const headroomKw = site.capKw - site.idleKw;
      if (o.incrementKw > headroomKw) {
        return unresolvable(
          `needs ${formatNumber(o.incrementKw)} kW over idle; the ${formatNumber(site.site.powerCapMw, 1)} MW cap leaves ${formatNumber(headroomKw)} kW`,
        );
      }
      if (!Number.isFinite(o.earliestS) && o.boundBy === 'power') {
        return unschedulable(
          `needs ${formatNumber(o.incrementKw)} kW; ${formatNumber(cycle.powerFreeAt(site, cycle.nowS))} kW free under the cap`,
        );
      }
      return null;
    },
  };
}
