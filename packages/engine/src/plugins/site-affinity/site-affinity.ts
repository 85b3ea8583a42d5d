import type { SiteFilterPlugin } from '../../framework/plugin.ts';
import { unresolvable } from '../../framework/status.ts';

export const SITE_AFFINITY = 'site-affinity';

/** One status for every rejection: statuses are immutable, and this filter runs per job and site. */
const NOT_LISTED = unresolvable('not one of the sites the job may run at');

/** Rejects sites the job does not list in `sites`; a job without a list may run anywhere. */
export function siteAffinity(): SiteFilterPlugin {
  return {
    name: SITE_AFFINITY,
    filterSite(_cycle, job, site) {
      if (!job.sites || job.sites.includes(site.site.id)) return null;
      return NOT_LISTED;
    },
  };
}
