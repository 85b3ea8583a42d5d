import type { ScorePlugin } from '../../framework/plugin.ts';

export const CARBON_SCORE = 'carbon-score';

/** Estimated emissions in kgCO2, by the profile's carbon signal over the run's hours. */
export function carbonScore(): ScorePlugin {
  return {
    name: CARBON_SCORE,
    objective: 'carbon',
    measure: (_cycle, _job, o) => o.carbonKg,
  };
}
