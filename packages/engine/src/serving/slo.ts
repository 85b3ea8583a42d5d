import type { Network } from '../domain/network.ts';
import { type PreparedSite, prepareNetwork } from '../framework/prepared-network.ts';
import type { ServiceSpec } from './service.ts';

/** Replicas run at most this loaded when the autoscaler plans (ρ): the queueing it allows is in the SLO check. */
export const PLANNED_UTILIZATION = 0.7;

/**
 * Time to first token from a region: the round trip over the WAN (the latency model, twice) plus the
 * replica's prefill time stretched by queueing at utilization ρ (an M/M/1 replica: S ÷ (1 − ρ)).
 */
export function ttftMs(rttMs: number, inferenceMs: number, utilization: number): number {
  const rho = Math.min(0.99, Math.max(0, utilization));
  return rttMs + inferenceMs / (1 - rho);
}

/** The WAN round trip between a region and a site (the latency model, both ways; the floor within a site). */
export function roundTripMs(network: Network, region: PreparedSite, site: PreparedSite): number {
  return site === region
    ? 2 * network.linkModel.minLatencyMs
    : 2 * prepareNetwork(network).link(region, site).latencyMs;
}

/** A site that can serve a region within the SLO, with its round trip. */
export interface SloSite {
  readonly site: PreparedSite;
  readonly rttMs: number;
}

/**
 * For each demand region, the sites whose replicas meet the SLO there at the planned utilization,
 * nearest first, in the region's own jurisdiction, with a pool that can hold a replica. A region no site serves within the SLO has an empty list (the spec is refused).
 */
export function sloSites(network: Network, service: ServiceSpec): Map<string, SloSite[]> {
  const net = prepareNetwork(network);
  const out = new Map<string, SloSite[]>();
  for (const d of service.demand) {
    const region = net.siteById.get(d.regionId);
    if (!region) {
      out.set(d.regionId, []);
      continue;
    }
    const sites: SloSite[] = [];
    for (const site of net.sites) {
      // Every request carries its users' data: a replica serves users of its own jurisdiction only
      // (the cross-border rules would be crossed once a request, not once a data set).
      if (site.site.jurisdiction !== region.site.jurisdiction) continue;
      // Only sites with a pool that can hold a replica (when the service says what a replica needs).
      const holds = service.perReplica.some((o) =>
        (site.poolsByType.get(o.accelerator) ?? []).some((p) => p.pool.count >= o.perMember),
      );
      if (service.perReplica.length > 0 && !holds) continue;
      const rttMs = roundTripMs(network, region, site);
      if (ttftMs(rttMs, service.inferenceMs, PLANNED_UTILIZATION) <= service.sloMs) sites.push({ site, rttMs });
    }
    sites.sort((a, b) => a.rttMs - b.rttMs || a.site.index - b.site.index);
    out.set(d.regionId, sites);
  }
  return out;
}

/** The lowest SLO the network could meet for a region: its nearest site's round trip plus idle prefill. */
export function lowestSloMs(network: Network, regionId: string, inferenceMs: number): number | undefined {
  const net = prepareNetwork(network);
  const region = net.siteById.get(regionId);
  if (!region) return undefined;
  return ttftMs(2 * network.linkModel.minLatencyMs, inferenceMs, 0);
}
