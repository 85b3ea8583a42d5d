import type { ScorePlugin } from '../../framework/plugin.ts';

/** Total estimated cost in CNY: accelerator-hours, energy at the hourly tariff, data transfer. */
export const costScore: ScorePlugin = {
  name: 'cost-score',
  objective: 'cost',
  measure: (_cycle, _job, c) => c.estimate().costCny,
};
