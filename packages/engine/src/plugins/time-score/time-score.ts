import type { ScorePlugin } from '../../framework/plugin.ts';

/** Seconds from now to the expected end: wait or data staging, whichever is longer, plus the run. */
export const timeScore: ScorePlugin = {
  name: 'time-score',
  objective: 'time',
  measure: (cycle, _job, c) => c.estimate().endS - cycle.nowS,
};
