import type { ScorePlugin } from '../../framework/plugin.ts';

export const DISTANCE_SCORE = 'distance-score';

/**
 * Network latency (ms) from the job's origin site to the site: the nearest site scores best. It
 * counts under the time objective. A job without an origin is equally near everywhere.
 */
export function distanceScore(): ScorePlugin {
  return {
    name: DISTANCE_SCORE,
    objective: 'time',
    measure(cycle, job, o) {
      const origin = job.originSiteId === undefined ? undefined : cycle.net.siteById.get(job.originSiteId);
      if (!origin || origin === o.site) return 0;
      return cycle.net.link(origin, o.site).latencyMs;
    },
  };
}
