import type { ScorePlugin } from '../../framework/plugin.ts';

export const COST_SCORE = 'cost-score';

/** Total estimated cost in CNY: accelerator-hours, energy at the hourly tariff, data transfer. */
export function costScore(): ScorePlugin {
  return {
    name: COST_SCORE,
    objective: 'cost',
    measure: (_cycle, _job, o) => o.costCny,
  };
}
