import type { Job } from '../domain/job.ts';
import type { Cycle } from '../framework/cycle.ts';
import { formatDuration, formatNumber } from '../framework/format.ts';
import type { JobEvaluation, Option } from '../framework/option.ts';

/** The name of the data set a retried job's last checkpoint is (withCheckpointData). */
export function checkpointDataName(jobId: string): string {
  return `checkpoint of ${jobId}`;
}

/**
 * The line an explanation gains when a retried job is placed at another site than the one its
 * last run failed at: why not there (out of service, filtered, or ranked lower), and what staging
 * its checkpoint costs — or that it starts again from the beginning. Undefined when it is no failover.
 */
export function failoverNote(cycle: Cycle, job: Job, evaluation: JobEvaluation, o: Option): string | undefined {
  const failed = job.failedAt;
  if (!failed || failed.siteId === o.site.site.id) return undefined;
  const from = cycle.net.siteById.get(failed.siteId);
  const verdict = evaluation.verdicts.find((v) => v.siteId === failed.siteId);
  const outage = from ? cycle.outageOf(from) : undefined;
  const whyNot = outage
    ? `${failed.siteId} is out of service (${outage.failureClass})`
    : verdict?.outcome === 'filtered'
      ? `${failed.siteId} was filtered by ${verdict.plugin} (${verdict.reason})`
      : verdict?.outcome === 'scored'
        ? `${failed.siteId} ranks ${verdict.rank}`
        : job.sites && !job.sites.includes(failed.siteId)
          ? `${failed.siteId} is not among the job's sites`
          : `${failed.siteId} has no better option`;
  const name = checkpointDataName(job.id);
  const checkpoint = job.datasets.find((d) => d.name === name);
  let staging = 'no checkpoint to resume from: it starts again from the beginning';
  if (checkpoint) {
    const at = checkpoint.replicas.map((r) => cycle.net.siteById.get(r)).find((s) => s !== undefined);
    if (at && at.index === o.site.index) staging = `its checkpoint (${formatNumber(checkpoint.sizeGb)} GB) is here`;
    else if (at) {
      const link = cycle.net.link(at, o.site);
      const s = (checkpoint.sizeGb * 8) / link.bandwidthGbps + link.latencyMs / 1000;
      staging = `staging its checkpoint (${formatNumber(checkpoint.sizeGb)} GB from ${at.site.id}) takes ${formatDuration(
        s,
      )} and costs ¥${(checkpoint.sizeGb * link.priceCnyPerGb).toFixed(2)}`;
    }
  }
  return `failover from ${failed.siteId} after ${failed.failureClass}: ${whyNot}; ${o.site.site.id} chosen as the best option left; ${staging}`;
}
