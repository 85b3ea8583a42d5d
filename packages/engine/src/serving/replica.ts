import type { Job } from '../domain/job.ts';
import type { ServiceSpec } from './service.ts';
import type { SloSite } from './slo.ts';

/** How long a replica is planned for: it holds its accelerators until the autoscaler removes it. */
export const REPLICA_HORIZON_S = 30 * 86_400;

/** The `k`-th replica a service asks for at `atS`: the same name in the live service and the simulator. */
export function replicaId(serviceId: string, atS: number, k: number): string {
  return `${serviceId}-r${Math.round(atS).toString(36)}-${k}`;
}

/**
 * When the autoscaler next runs after `atS`: at whole multiples of its step, in the live service
 * and the simulator alike.
 */
export function nextScaleS(atS: number, stepS: number): number {
  return (Math.floor(atS / stepS) + 1) * stepS;
}

/** A replica starts within this long of a decision, or waits for the next (never a reservation for later). */
export const REPLICA_START_WITHIN_S = 120;

/** Guaranteed replicas run at one of the few sites nearest to their region (near demand). */
export const GUARANTEED_NEAREST = 3;

/** Priorities: guaranteed replicas above batch work (0); burst replicas level with it, preemptible (stopped first by higher work). */
export const GUARANTEED_PRIORITY = 100;
export const BURST_PRIORITY = 50;

/**
 * A replica as a job the engine places like any other (the same filters, governance rules, quotas
 * and scores): a serving job on one replica's accelerators, at the sites that meet the SLO for its
 * region — for a guaranteed replica only the nearest of them, never preempted; a burst replica at
 * any of them (west to cheap, green power when the latency allows), preemptible and behind batch work.
 */
export function replicaJob(
  service: ServiceSpec,
  replicaId: string,
  regionId: string,
  guaranteed: boolean,
  sites: readonly SloSite[],
  atS: number,
  /** Until the service ends (a replica holds its accelerators that long unless scaled down). */
  durationS: number = REPLICA_HORIZON_S,
): Job {
  const allowed = (guaranteed ? sites.slice(0, GUARANTEED_NEAREST) : sites).map((s) => s.site.site.id);
  return {
    id: replicaId,
    name: `${service.id} replica for ${regionId}`,
    tenant: service.tenant,
    kind: 'serve',
    options: service.perReplica,
    gang: 1,
    durationS: Math.max(60, Math.min(REPLICA_HORIZON_S, durationS)),
    datasets: [],
    objective: { cost: 1, carbon: 1, time: 1 },
    priority: guaranteed ? GUARANTEED_PRIORITY : BURST_PRIORITY,
    preemptible: !guaranteed,
    submittedAtS: atS,
    sites: allowed,
    // Now or not at all: a replica that would start later is no help; preemption makes room instead.
    startWithinS: REPLICA_START_WITHIN_S,
    // Guaranteed replicas count against the tenant's own quota; burst replicas may borrow the cohort's.
    ...(guaranteed ? { withinNominal: true } : {}),
    ...(service.model !== undefined ? { model: service.model } : {}),
  };
}
