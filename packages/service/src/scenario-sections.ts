import type { Network, ServiceSpec } from '@suanli/engine';
import { type FailureModel, RECOVERY_MODES, type SimJob } from '@suanli/sim';
import { z } from 'zod';
import { isSuanliError, type SuanliError } from './errors.ts';
import { readJobSpec } from './job-spec.ts';
import { int, LIMITS, list, num, text } from './limits.ts';
import { type FieldPath, parsedValue } from './text-input.ts';

const seed = int(-(2 ** 31), 2 ** 31 - 1);

/** A scenario's `failures` section: runs failing at random, sites out, links cut, and how jobs recover. */
export const failuresSchema = z.strictObject({
  acceleratorMtbfH: num(1, 100_000_000).optional(),
  nodeShare: num(0, 1).optional(),
  /** Sites out of service: from `startS` after the first job arrives, for `durationS`. */
  outages: list(
    z.strictObject({ site: text(64), startS: num(0, LIMITS.durationS), durationS: num(1, LIMITS.durationS) }),
    100,
  ).optional(),
  /** Sites out of service at random: each site `perSiteYear` times a year, `durationS` each. */
  outageRate: z.strictObject({ perSiteYear: num(0, 365), durationS: num(1, LIMITS.durationS) }).optional(),
  /** Wide-area links cut: from `startS` after the first job arrives, for `durationS`. */
  linkCuts: list(
    z.strictObject({
      from: text(64),
      to: text(64),
      startS: num(0, LIMITS.durationS),
      durationS: num(1, LIMITS.durationS),
    }),
    100,
  ).optional(),
  recovery: z.enum(RECOVERY_MODES).optional(),
  seed: seed.optional(),
  /** Training and fine-tuning jobs checkpoint this often (trace and synthetic jobs have no checkpoints of their own). */
  checkpointS: num(60, LIMITS.checkpointIntervalS).optional(),
});

type FailuresInput = z.infer<typeof failuresSchema>;

/**
 * The failure model of a scenario's `failures` section, every site it names checked against the
 * network: an unknown site, a link from a site to itself, or a section in which nothing can fail is
 * refused with the field named.
 */
export function failureModelOf(
  f: FailuresInput,
  network: Network,
  scenarioSeed: number,
  fail: (at: FieldPath, message: string) => SuanliError,
): FailureModel {
  const knownSite = (id: string, at: FieldPath) => {
    if (!network.sites.some((x) => x.id === id)) {
      throw fail(at, `unknown site ${id} (known: ${network.sites.map((x) => x.id).join(', ')})`);
    }
  };
  f.outages?.forEach((o, i) => {
    knownSite(o.site, ['failures', 'outages', i, 'site']);
  });
  f.linkCuts?.forEach((c, i) => {
    knownSite(c.from, ['failures', 'linkCuts', i, 'from']);
    knownSite(c.to, ['failures', 'linkCuts', i, 'to']);
    if (c.from === c.to) throw fail(['failures', 'linkCuts', i, 'to'], 'a link joins two different sites');
  });
  if (f.acceleratorMtbfH === undefined && !f.outages?.length && !f.outageRate && !f.linkCuts?.length) {
    throw fail(['failures'], 'give acceleratorMtbfH, outages, outageRate or linkCuts: nothing fails otherwise');
  }
  return {
    ...(f.acceleratorMtbfH !== undefined ? { acceleratorMtbfH: f.acceleratorMtbfH } : {}),
    ...(f.nodeShare !== undefined ? { nodeShare: f.nodeShare } : {}),
    ...(f.outages
      ? { outages: f.outages.map((o) => ({ siteId: o.site, startS: o.startS, durationS: o.durationS })) }
      : {}),
    ...(f.outageRate ? { outageRate: f.outageRate } : {}),
    ...(f.linkCuts ? { linkCuts: f.linkCuts } : {}),
    recovery: f.recovery ?? 'policy',
    seed: f.seed ?? scenarioSeed,
  };
}

/** Training and fine-tuning jobs of a workload, checkpointing every `intervalS` (a scenario's assumption). */
export function* withCheckpoints(jobs: Iterable<SimJob>, intervalS: number): Iterable<SimJob> {
  for (const j of jobs) {
    const trains = j.job.kind === 'train' || j.job.kind === 'finetune';
    yield trains && !j.job.checkpoint ? { ...j, job: { ...j.job, checkpoint: { intervalS, sizeGb: 0 } } } : j;
  }
}

/**
 * A scenario's `services`: serving job specs (kind serve, with a service section), read as the
 * live service reads them; each runs for its `durationS` from the first arrival (the longest of them
 * for all), scaled every minute. An error names the service and the field.
 */
export function servingOf(
  specs: readonly Record<string, unknown>[],
  network: Network,
  fail: (at: FieldPath, message: string) => SuanliError,
): { services: ServiceSpec[]; durationS: number; stepS: number } {
  let durationS = 0;
  const services = specs.map((raw, i): ServiceSpec => {
    let spec: ReturnType<typeof readJobSpec>;
    try {
      spec = readJobSpec(parsedValue(raw), network, 0);
    } catch (e) {
      if (!isSuanliError(e)) throw e;
      throw fail(['services', i], `${e.location.field ? `${e.location.field}: ` : ''}${e.message}`);
    }
    if (!spec.service) throw fail(['services', i], 'a service is a kind serve job spec with a service section');
    durationS = Math.max(durationS, spec.durationS);
    return {
      ...spec.service,
      id: `svc-${i}-${spec.name}`,
      tenant: spec.tenant,
      perReplica: spec.options,
      ...(spec.model !== undefined ? { model: spec.model } : {}),
    };
  });
  return { services, durationS, stepS: 60 };
}
