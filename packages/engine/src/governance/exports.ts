import type { Job } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import type { Placement } from '../domain/placement.ts';
import type { ExportRecord } from '../domain/snapshot.ts';
import { yearOf } from './facts.ts';

/**
 * The transfers abroad a placement makes: a job placed outside the mainland takes every data set
 * with personal information that has a replica in the mainland there. Each data set (by checksum)
 * counts once per legal entity and calendar year (the 2024 Provisions' counters): those already in
 * `recorded` are left out. Counts and digests only.
 */
export function exportsOf(
  job: Job,
  placement: Placement,
  network: Network,
  atS: number,
  recorded: readonly ExportRecord[],
): ExportRecord[] {
  const site = network.sites.find((s) => s.id === placement.siteId);
  if (!site || site.jurisdiction === 'cn-mainland') return [];
  const legalEntity = network.tenants.find((t) => t.id === job.tenant)?.legalEntity ?? job.tenant;
  const year = yearOf(atS);
  const mainland = new Set(network.sites.filter((s) => s.jurisdiction === 'cn-mainland').map((s) => s.id));
  const out: ExportRecord[] = [];
  for (const d of job.datasets) {
    if (!d.pi || d.pi === 'none' || d.checksum === undefined) continue;
    if (!d.replicas.some((r) => mainland.has(r))) continue;
    const seen = (e: ExportRecord) =>
      e.legalEntity === legalEntity && e.year === year && e.datasetChecksum === d.checksum;
    if (recorded.some(seen) || out.some(seen)) continue;
    out.push({
      legalEntity,
      year,
      datasetChecksum: d.checksum,
      individuals: d.individuals ?? 0,
      sensitiveIndividuals: d.sensitiveIndividuals ?? 0,
    });
  }
  return out;
}
