import type { SiteVerdict } from '../domain/placement.ts';
import type { JobEvaluation, ScoredOption } from './option.ts';
import type { PreparedSite } from './prepared-network.ts';
import type { Failure } from './status.ts';

/** How many sites a brief explanation shows. */
export const BRIEF_SITES = 5;

export type ExplainMode = 'full' | 'brief' | 'none';

/** The verdict of a site a filter rejected, attributed to the plug-in. */
export function filteredVerdict(site: PreparedSite, plugin: string, failure: Failure): SiteVerdict {
  return { siteId: site.site.id, outcome: 'filtered', plugin, code: failure.code, reason: failure.reason };
}

/**
 * The explanation of an evaluation: the ranked sites first, with their estimates and scores, then
 * why each other site was filtered. A brief one shows only the ranked sites when there are any.
 */
export function explainSites(
  ranked: readonly ScoredOption[],
  filtered: readonly SiteVerdict[],
  mode: ExplainMode,
): SiteVerdict[] {
  if (mode === 'none') return [];
  const verdicts: SiteVerdict[] = ranked.map((s, i) => ({
    siteId: s.option.site.site.id,
    outcome: 'scored',
    poolId: s.option.pool.pool.id,
    accelerator: s.option.choice.accelerator,
    count: s.option.count,
    estimate: s.option.estimate(),
    scores: s.scores,
    total: s.total,
    rank: i + 1,
  }));
  if (mode === 'brief' && verdicts.length > 0) return verdicts;
  for (const f of filtered) verdicts.push(f);
  return verdicts;
}

/** Sites left out of a brief explanation: how many were scored and how many filtered. */
export function omittedCounts(evaluation: JobEvaluation, totalSites: number): Record<string, number> | undefined {
  const shown = evaluation.verdicts.length;
  if (shown >= totalSites) return undefined;
  return { scored: Math.max(0, evaluation.feasibleSites - shown), filtered: totalSites - evaluation.feasibleSites };
}
