import type { Network } from '../domain/network.ts';
import { prepareNetwork } from '../framework/prepared-network.ts';
import { replicaCapacity } from './autoscale.ts';
import type { ServiceSpec } from './service.ts';
import { roundTripMs, ttftMs } from './slo.ts';

/** A running replica a router may send requests to. */
export interface RoutableReplica {
  readonly id: string;
  readonly siteId: string;
  /** Requests a second it takes now (observed, or the router's own count). */
  readonly loadPerS: number;
}

export interface Route {
  readonly replicaId: string;
  readonly siteId: string;
  readonly rttMs: number;
  /** Expected time to first token there, with its load now. */
  readonly ttftMs: number;
}

/**
 * Where a request from a region should go: the running replica with the lowest expected time to
 * first token (round trip plus prefill stretched by its load). Built once per change of replicas;
 * each answer looks at the region's candidates only (nearest first), so it is cheap enough to ask
 * per request batch.
 */
export class Router {
  private readonly byRegion = new Map<string, { r: RoutableReplica; rttMs: number }[]>();
  private readonly capacity: number;
  private readonly inferenceMs: number;
  private readonly load: Float64Array;
  private readonly index = new Map<string, number>();

  constructor(
    network: Network,
    service: ServiceSpec,
    replicas: readonly RoutableReplica[],
    regions: readonly string[],
  ) {
    const net = prepareNetwork(network);
    this.capacity = replicaCapacity(service);
    this.inferenceMs = service.inferenceMs;
    this.load = new Float64Array(replicas.length);
    replicas.forEach((r, i) => {
      this.index.set(r.id, i);
      this.load[i] = r.loadPerS;
    });
    for (const regionId of regions) {
      const region = net.siteById.get(regionId);
      if (!region) continue;
      const list = replicas.flatMap((r) => {
        const site = net.siteById.get(r.siteId);
        if (!site) return [];
        return [{ r, rttMs: roundTripMs(network, region, site) }];
      });
      list.sort((a, b) => a.rttMs - b.rttMs || (a.r.id < b.r.id ? -1 : 1));
      this.byRegion.set(regionId, list);
    }
  }

  /** The best replica for a request from `regionId`; undefined when none runs or the region is unknown. */
  route(regionId: string): Route | undefined {
    const list = this.byRegion.get(regionId);
    if (!list || list.length === 0) return undefined;
    let best: Route | undefined;
    for (const { r, rttMs } of list) {
      // Sorted by round trip: no farther replica can beat the best once its trip alone is longer.
      if (best && rttMs + this.inferenceMs >= best.ttftMs) break;
      const i = this.index.get(r.id) as number;
      const t = ttftMs(rttMs, this.inferenceMs, (this.load[i] ?? 0) / this.capacity);
      if (!best || t < best.ttftMs) best = { replicaId: r.id, siteId: r.siteId, rttMs, ttftMs: t };
    }
    return best;
  }

  /** A replica's load changed (observed): later answers weigh it. */
  observe(replicaId: string, loadPerS: number): void {
    const i = this.index.get(replicaId);
    if (i !== undefined) this.load[i] = Math.max(0, loadPerS);
  }
}
