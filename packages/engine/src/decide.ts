import type { Job } from './domain/job.ts';
import type { Decision, Explanation, Placement } from './domain/placement.ts';
import type { Snapshot } from './domain/snapshot.ts';
import { Cycle } from './framework/cycle.ts';
import { formatDuration, formatNumber } from './framework/format.ts';
import type { Profile } from './framework/plugin.ts';
import { defaultProfile } from './framework/profile.ts';
import { evaluateJob, type JobEvaluation, type ScoredCandidate } from './framework/runner.ts';
import type { Rng } from './rng.ts';

export interface DecideResult {
  readonly decisions: readonly Decision[];
}

/**
 * The engine's one entry point. Given the network, what is held and what is queued, it decides for
 * every queued job: place it now (on which pool, at what cost, energy and carbon), or let it wait,
 * and says why. Pure: the same snapshot, time and seed give the same decisions.
 */
export function decide(snapshot: Snapshot, nowS: number, rng: Rng, profile: Profile = defaultProfile): DecideResult {
  const cycle = new Cycle(snapshot, nowS, rng);
  const queue = [...snapshot.queue].sort((a, b) => profile.queueSort.compare(a, b));
  const decisions: Decision[] = [];
  for (const job of queue) decisions.push(decideOne(cycle, job, profile));
  return { decisions };
}

/**
 * A dry run for one job that is not in the queue: every site ranked or rejected, with cost,
 * energy, carbon and expected start. The queued jobs are placed first, as `decide` would.
 */
export function quote(
  snapshot: Snapshot,
  job: Job,
  nowS: number,
  rng: Rng,
  profile: Profile = defaultProfile,
): Explanation {
  const cycle = new Cycle(snapshot, nowS, rng);
  const queue = [...snapshot.queue].sort((a, b) => profile.queueSort.compare(a, b));
  for (const queued of queue) decideOne(cycle, queued, profile);
  const evaluation = evaluateJob(cycle, job, profile);
  return explain(job, nowS, profile, evaluation, summarise(evaluation, nowS));
}

function decideOne(cycle: Cycle, job: Job, profile: Profile): Decision {
  const evaluation = evaluateJob(cycle, job, profile);
  const summary = summarise(evaluation, cycle.nowS);
  const explanation = explain(job, cycle.nowS, profile, evaluation, summary);
  const best = evaluation.ranked[0];
  if (best && best.candidate.estimate().waitS === 0) {
    const placement = toPlacement(best);
    cycle.take(best.candidate.pool, best.candidate.count, placement.estimate.endS);
    return { kind: 'place', jobId: job.id, placement, explanation };
  }
  const unresolvable = !best && evaluation.verdicts.every((v) => v.outcome === 'filtered' && v.code === 'unresolvable');
  return best
    ? {
        kind: 'wait',
        jobId: job.id,
        unresolvable: false,
        reason: summary,
        expectedStartS: best.candidate.estimate().startS,
        explanation,
      }
    : { kind: 'wait', jobId: job.id, unresolvable, reason: summary, explanation };
}

function toPlacement(s: ScoredCandidate): Placement {
  return {
    siteId: s.candidate.site.site.id,
    poolId: s.candidate.pool.pool.id,
    accelerator: s.candidate.option.accelerator,
    count: s.candidate.count,
    estimate: s.candidate.estimate(),
  };
}

function explain(job: Job, nowS: number, profile: Profile, evaluation: JobEvaluation, summary: string): Explanation {
  return { jobId: job.id, atS: nowS, profile: profile.name, summary, verdicts: evaluation.verdicts };
}

function summarise(evaluation: JobEvaluation, nowS: number): string {
  const total = evaluation.verdicts.length;
  const filtered = total - evaluation.ranked.length;
  const best = evaluation.ranked[0];
  if (!best) {
    return `no site can run this job now: ${filtered} of ${total} sites filtered out`;
  }
  const e = best.candidate.estimate();
  const where = `${best.candidate.site.site.id} (${best.candidate.option.accelerator} ×${best.candidate.count})`;
  const start = e.startS <= nowS ? 'starts now' : `starts in ${formatDuration(e.startS - nowS)}`;
  const figures = `${formatNumber(e.costCny)} CNY, ${formatNumber(e.energyKwh)} kWh, ${formatNumber(e.carbonKg)} kgCO2`;
  const verb = e.waitS === 0 ? 'best' : 'best, when capacity frees up,';
  return `${verb}: ${where}, ${figures}, ${start}; ${evaluation.ranked.length} of ${total} sites feasible`;
}
