import { replicaCapacity } from './autoscale.ts';
import type { ServiceSpec } from './service.ts';
import { PLANNED_UTILIZATION, ttftMs } from './slo.ts';

/** A region's requests over a stretch of time, those answered within the SLO, and why the others were not. */
export interface RegionStep {
  readonly requests: number;
  readonly withinSlo: number;
  readonly noReplica: number;
  readonly overloaded: number;
  readonly tooFar: number;
}

/**
 * How a region's requests fare over `dtS` at `requestsPerS`, served by replicas running at the given
 * round trips (the live service and the simulator measure alike): all within the SLO when the
 * replicas take them below capacity and the time to first token from the farthest meets the SLO;
 * over capacity, only what the replicas take at the planned load.
 */
export function regionStep(
  service: Pick<ServiceSpec, 'targetPerReplica' | 'inferenceMs' | 'sloMs'>,
  requestsPerS: number,
  runningRttMs: readonly number[],
  dtS: number,
): RegionStep {
  const requests = Math.max(0, requestsPerS * dtS);
  const none = { requests, withinSlo: 0, noReplica: 0, overloaded: 0, tooFar: 0 };
  if (requests <= 0) return none;
  if (runningRttMs.length === 0) return { ...none, noReplica: requests };
  const capacity = replicaCapacity(service);
  const rho = requestsPerS / (runningRttMs.length * capacity);
  const worst = Math.max(...runningRttMs);
  if (rho < 1 && ttftMs(worst, service.inferenceMs, rho) <= service.sloMs) return { ...none, withinSlo: requests };
  if (rho >= 1) {
    const taken = Math.min(requests, runningRttMs.length * capacity * PLANNED_UTILIZATION * dtS);
    const ok = ttftMs(worst, service.inferenceMs, PLANNED_UTILIZATION) <= service.sloMs;
    return { ...none, withinSlo: ok ? taken : 0, overloaded: requests - (ok ? taken : 0) };
  }
  return worst + service.inferenceMs > service.sloMs
    ? { ...none, tooFar: requests }
    : { ...none, overloaded: requests };
}
