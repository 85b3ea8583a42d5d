import type { ScorePlugin } from '../../framework/plugin.ts';

/** Estimated emissions in kgCO2: facility energy × the site's grid factor. */
export const carbonScore: ScorePlugin = {
  name: 'carbon-score',
  objective: 'carbon',
  measure: (_cycle, _job, c) => c.estimate().carbonKg,
};
