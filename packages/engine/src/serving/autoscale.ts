import { type DemandRegion, demandAt, peakDemand, type ServiceSpec } from './service.ts';
import { PLANNED_UTILIZATION } from './slo.ts';

/** A replica as the autoscaler sees it: the region it was started for, and whether it is guaranteed and running. */
export interface ReplicaView {
  readonly id: string;
  readonly regionId: string;
  readonly guaranteed: boolean;
  /** Started on its accelerators (a pending one is asked for, not yet serving). */
  readonly running: boolean;
}

export interface ScaleSettings {
  /** Look this far ahead on the demand curve: replicas start before the load comes. */
  readonly leadS: number;
  /** A replica is removed only when the rest would run at most this loaded… */
  readonly downUtilization: number;
  /** …and the demand has stayed that low this long (hysteresis). */
  readonly cooldownS: number;
}

export const DEFAULT_SCALE: ScaleSettings = { leadS: 1800, downUtilization: 0.5, cooldownS: 1800 };

/** What the autoscaler remembers between cycles: since when each region could do with one replica less. */
export type ScalerMemory = ReadonlyMap<string, number>;

export interface ScaleUp {
  readonly regionId: string;
  readonly guaranteed: boolean;
  readonly reason: string;
}

export interface ScaleDown {
  readonly replicaId: string;
  readonly regionId: string;
  readonly reason: string;
}

export interface ScaleDecision {
  readonly up: readonly ScaleUp[];
  readonly down: readonly ScaleDown[];
  /**
   * Replicas asked for that still wait for accelerators: the drivers queue them again, so each
   * cycle decides them afresh (anywhere within the SLO) instead of leaving them parked on one pool.
   */
  readonly retry: readonly string[];
  readonly memory: ScalerMemory;
}

/** Requests a second a replica can take at most (at the planned utilization it takes `targetPerReplica`). */
export function replicaCapacity(service: Pick<ServiceSpec, 'targetPerReplica'>): number {
  return service.targetPerReplica / PLANNED_UTILIZATION;
}

/**
 * The replicas each region keeps at least: `minReplicas` shared by the regions' peak demand (largest
 * remainder; ties by region order).
 */
export function regionMinimums(service: ServiceSpec): Map<string, number> {
  const peaks = service.demand.map(peakDemand);
  const total = peaks.reduce((a, b) => a + b, 0);
  const n = service.demand.length;
  const shares = service.demand.map((_, i) =>
    total > 0 ? (service.minReplicas * (peaks[i] ?? 0)) / total : service.minReplicas / n,
  );
  const floors = shares.map(Math.floor);
  let left = service.minReplicas - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left--;
  }
  return new Map(service.demand.map((d, i) => [d.regionId, floors[i] ?? 0]));
}

/** The demand to plan for in a region: what is observed now, or the curve's, whichever is higher now or a lead ahead. */
export function plannedDemand(region: DemandRegion, atS: number, observed: number | undefined, leadS: number): number {
  return Math.max(observed ?? demandAt(region, atS), demandAt(region, atS), demandAt(region, atS + leadS));
}

/**
 * One cycle of the autoscaler, the same for the live service and the simulator (pure): per demand
 * region, scale up at once to what the planned demand needs at the planned utilization (never above
 * `maxReplicas` in all); scale down one replica at a time, and only after the demand has stayed low
 * enough for the rest (`downUtilization`) for the cooldown — burst replicas and pending ones first.
 * Each step says why in one line.
 */
export function autoscale(
  service: ServiceSpec,
  replicas: readonly ReplicaView[],
  atS: number,
  memory: ScalerMemory,
  observed?: ReadonlyMap<string, number>,
  settings: ScaleSettings = DEFAULT_SCALE,
): ScaleDecision {
  const mins = regionMinimums(service);
  const capacity = replicaCapacity(service);
  const byRegion = new Map<string, ReplicaView[]>();
  for (const r of replicas) {
    const list = byRegion.get(r.regionId);
    if (list) list.push(r);
    else byRegion.set(r.regionId, [r]);
  }
  let total = replicas.length;
  let guaranteed = replicas.filter((r) => r.guaranteed).length;
  const up: ScaleUp[] = [];
  const down: ScaleDown[] = [];
  const next = new Map<string, number>();
  for (const region of service.demand) {
    const id = region.regionId;
    const have = byRegion.get(id) ?? [];
    const demand = plannedDemand(region, atS, observed?.get(id), settings.leadS);
    const need = Math.max(mins.get(id) ?? 0, Math.ceil(demand / service.targetPerReplica - 1e-9));
    const rps = demand.toFixed(1);
    if (have.length < need) {
      for (let k = have.length; k < need && total < service.maxReplicas; k++) {
        const g = guaranteed < service.guaranteed;
        if (g) guaranteed++;
        total++;
        up.push({
          regionId: id,
          guaranteed: g,
          reason: `${id}: ${rps} req/s planned needs ${need} replica${need === 1 ? '' : 's'} at ${service.targetPerReplica} req/s each; ${have.length + (k - have.length)} there`,
        });
      }
      continue;
    }
    const fewer = have.length - 1;
    const lowEnough =
      have.length > need && fewer >= (mins.get(id) ?? 0) && demand <= fewer * capacity * settings.downUtilization;
    if (!lowEnough) continue;
    const since = memory.get(id) ?? atS;
    next.set(id, since);
    if (atS - since < settings.cooldownS) continue;
    // Burst before guaranteed, pending before running, the newest first.
    const victim = [...have].sort(
      (a, b) =>
        Number(a.guaranteed) - Number(b.guaranteed) || Number(a.running) - Number(b.running) || (a.id < b.id ? 1 : -1),
    )[0];
    if (!victim) continue;
    down.push({
      replicaId: victim.id,
      regionId: id,
      reason: `${id}: ${rps} req/s for ${Math.round((atS - since) / 60)} min fits ${fewer} replica${fewer === 1 ? '' : 's'} at ${Math.round(settings.downUtilization * 100)} % or less`,
    });
    next.delete(id);
  }
  const removed = new Set(down.map((d) => d.replicaId));
  const retry = replicas.filter((r) => !r.running && !removed.has(r.id)).map((r) => r.id);
  return { up, down, retry, memory: next };
}
