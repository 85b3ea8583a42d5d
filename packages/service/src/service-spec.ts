import {
  type AcceleratorOption,
  lowestSloMs,
  type Network,
  PLANNED_UTILIZATION,
  type ServiceSection,
  sloSites,
} from '@suanli/engine';
import { z } from 'zod';
import { int, list, num, text } from './limits.ts';
import type { FieldPath } from './text-input.ts';

/** Most replicas a service may ask for, and demand regions it may name. */
export const SERVICE_LIMITS = { replicas: 1000, regions: 50, requestsPerS: 10_000_000, ms: 600_000 };

/**
 * A `kind: serve` job's `service` section (SkyServe's vocabulary where the meaning matches):
 * replicas between `min` and `max`, `guaranteed` of them never preempted, `target` requests a second
 * per replica, an SLO on the p95 time to first token, the idle prefill time, and per demand region
 * (a site of the network) the requests a second by hour of the day (UTC+8, 24 values).
 */
export const serviceInputSchema = z.strictObject({
  replicas: z.strictObject({
    min: int(0, SERVICE_LIMITS.replicas),
    max: int(1, SERVICE_LIMITS.replicas),
  }),
  guaranteed: int(0, SERVICE_LIMITS.replicas).optional(),
  target: z.strictObject({ requestsPerS: num(0.001, SERVICE_LIMITS.requestsPerS) }),
  slo: z.strictObject({ ttftP95Ms: num(1, SERVICE_LIMITS.ms) }),
  inferenceMs: num(1, SERVICE_LIMITS.ms).optional(),
  tokensPerRequest: num(1, 1_000_000).optional(),
  demand: list(
    z.strictObject({
      region: text(64),
      requestsPerS: list(num(0, SERVICE_LIMITS.requestsPerS), 24).length(24),
    }),
    SERVICE_LIMITS.regions,
  ).min(1),
});

export type ServiceInput = z.infer<typeof serviceInputSchema>;

/** Prefill time when the spec gives none. */
export const DEFAULT_INFERENCE_MS = 200;

/**
 * The service section checked against the network: `min ≤ max`, `guaranteed ≤ max`, known regions,
 * and an SLO some site meets from every region at the planned load. Throws (through `fail`) naming
 * the first bad field.
 */
export function readServiceSection(
  input: ServiceInput,
  network: Network,
  perReplica: readonly AcceleratorOption[],
  fail: (path: FieldPath, code: 'INVALID_FIELD' | 'UNKNOWN_SITE', message: string) => Error,
): ServiceSection {
  const at = (...p: (string | number)[]): FieldPath => ['service', ...p];
  if (input.replicas.min > input.replicas.max) {
    throw fail(
      at('replicas', 'min'),
      'INVALID_FIELD',
      `min ${input.replicas.min} is more than max ${input.replicas.max}`,
    );
  }
  const guaranteed = input.guaranteed ?? Math.min(1, input.replicas.max);
  if (guaranteed > input.replicas.max) {
    throw fail(
      at('guaranteed'),
      'INVALID_FIELD',
      `${guaranteed} guaranteed replicas, more than max ${input.replicas.max}`,
    );
  }
  const inferenceMs = input.inferenceMs ?? DEFAULT_INFERENCE_MS;
  const seen = new Set<string>();
  input.demand.forEach((d, i) => {
    if (!network.sites.some((s) => s.id === d.region)) {
      throw fail(at('demand', i, 'region'), 'UNKNOWN_SITE', `unknown region ${d.region}: name a site of the network`);
    }
    if (seen.has(d.region)) throw fail(at('demand', i, 'region'), 'INVALID_FIELD', `${d.region} is named twice`);
    seen.add(d.region);
  });
  const section: ServiceSection = {
    minReplicas: input.replicas.min,
    maxReplicas: input.replicas.max,
    guaranteed,
    targetPerReplica: input.target.requestsPerS,
    sloMs: input.slo.ttftP95Ms,
    inferenceMs,
    demand: input.demand.map((d) => ({ regionId: d.region, requestsPerS: d.requestsPerS })),
    ...(input.tokensPerRequest !== undefined ? { tokensPerRequest: input.tokensPerRequest } : {}),
  };
  const sites = sloSites(network, { ...section, id: 'check', tenant: 'check', perReplica });
  for (const d of input.demand) {
    if ((sites.get(d.region) ?? []).length > 0) continue;
    const lowest = Math.ceil(
      (lowestSloMs(network, d.region, inferenceMs) ?? 0) - inferenceMs + inferenceMs / (1 - PLANNED_UTILIZATION),
    );
    if (sloSites(network, { ...section, id: 'check', tenant: 'check', perReplica: [] }).get(d.region)?.length) {
      throw fail(
        at('demand', input.demand.indexOf(d), 'region'),
        'INVALID_FIELD',
        `no site within ${input.slo.ttftP95Ms} ms of ${d.region} has a pool that can hold a replica (${perReplica.map((o) => `${o.perMember} ${o.accelerator}`).join(' or ')})`,
      );
    }
    throw fail(
      at('slo', 'ttftP95Ms'),
      'INVALID_FIELD',
      `${input.slo.ttftP95Ms} ms cannot be met from ${d.region}: at the planned ${Math.round(PLANNED_UTILIZATION * 100)} % load the nearest site needs ${lowest} ms (round trip and ${inferenceMs} ms of prefill queued)`,
    );
  }
  return section;
}
