import type { ScorePlugin } from '../../framework/plugin.ts';

export const TIME_SCORE = 'time-score';

/** Seconds from now to the expected end: data staging, wait, any shift, and the run. */
export function timeScore(): ScorePlugin {
  return {
    name: TIME_SCORE,
    objective: 'time',
    measure: (cycle, _job, o) => o.startS + o.durationS - cycle.nowS,
  };
}
