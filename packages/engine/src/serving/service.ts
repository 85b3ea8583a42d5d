import type { AcceleratorOption } from '../domain/job.ts';
import type { DemandRegion, ServiceSection } from '../domain/service.ts';

export type { DemandRegion, ServiceSection } from '../domain/service.ts';

/**
 * An online service: replicas of one model, each on `perReplica` accelerators, between `min` and
 * `max` of them, each serving `targetPerReplica` requests a second within `sloMs` (p95 time to first
 * token, from each demand region). The first `guaranteed` replicas are never preempted; the rest are
 * burst replicas, stopped first. In SkyServe's words: `replicas.min/max`, `target_qps_per_replica`.
 */
export interface ServiceSpec extends ServiceSection {
  readonly id: string;
  readonly tenant: string;
  readonly model?: string;
  /** Accelerators of one replica: the first option is preferred. */
  readonly perReplica: readonly AcceleratorOption[];
}

/** The UTC+8 hour of the day at `atS`. */
export function hourOfDay(atS: number): number {
  return Math.floor(((atS + 8 * 3600) % 86_400) / 3600 + 24) % 24;
}

/**
 * Requests a second from a region at `atS`, from its daily curve (linear between the hours' values,
 * each value holding at the middle of its hour).
 */
export function demandAt(region: DemandRegion, atS: number): number {
  const curve = region.requestsPerS;
  if (curve.length === 0) return 0;
  const h = ((((atS + 8 * 3600) % 86_400) + 86_400) % 86_400) / 3600 - 0.5;
  const i = Math.floor(h);
  const f = h - i;
  const a = curve[(i + 24) % curve.length] ?? 0;
  const b = curve[(i + 25) % curve.length] ?? 0;
  return a + (b - a) * f;
}

/** The highest demand a region's curve reaches. */
export function peakDemand(region: DemandRegion): number {
  return Math.max(0, ...region.requestsPerS);
}
