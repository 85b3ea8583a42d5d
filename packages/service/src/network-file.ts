import { readFileSync } from 'node:fs';
import {
  type AcceleratorSpec,
  APPROVAL_TYPES,
  type Approval,
  type ClusterQueue,
  type Dataset,
  type FlavourQuota,
  type Link,
  MODEL_KINDS,
  type Model,
  type Network,
  type Pool,
  SECTORS,
  type Site,
  type Tenant,
} from '@suanli/engine';
import { z } from 'zod';
import { acceleratorSpecSchema, builtinAccelerators } from './accelerator-catalog.ts';
import { SuanliError } from './errors.ts';
import { int, LIMITS, list, mapOf, num, positive, text } from './limits.ts';
import {
  checkSiteOperators,
  compileOperators,
  compileProgrammes,
  operatorSchema,
  programmeSchema,
} from './network-market.ts';
import { budgetAt, compileRegions, regionSchema } from './network-power.ts';
import { powerBudgetSchema } from './power-budget-schema.ts';
import { type FieldPath, fieldError, type ParsedText, parseText, readInputFile, validate } from './text-input.ts';

const slug = text(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, like zhong-wei');
const label = text(256);
const hour = int(0, 24);
const tariffValue = positive(LIMITS.tariffCnyPerKwh);
const ratio = positive(100);

const timeOfUsePeriod = z.strictObject({
  name: label.min(1),
  ratio,
  hours: list(z.tuple([hour, hour]), 24).min(1),
});

const tariffSchema = z.union([
  text(64),
  z.array(tariffValue).length(24),
  z.strictObject({
    flatCnyPerKwh: tariffValue,
    timeOfUse: list(timeOfUsePeriod, 24).optional(),
  }),
]);

const poolSchema = z.strictObject({
  id: slug.optional(),
  accelerator: text(64).min(1),
  count: int(1, LIMITS.poolAccelerators),
  /** Accelerators per node (server): gang members are packed within nodes. */
  nodeSize: int(1, LIMITS.nodeAccelerators).optional(),
  priceCnyPerAcceleratorHour: positive(LIMITS.priceCnyPerAcceleratorHour),
  backend: text(64).min(1).optional(),
  /** The hall's power budget, when the pool's hall has its own. */
  powerBudget: powerBudgetSchema.optional(),
});

const sha256 = text(71).regex(/^(sha256:)?[0-9a-f]{64}$/, 'a SHA-256 digest: 64 hex digits');
const utcOffsetH = num(-12, 14);
const latencyMs = num(0, LIMITS.latencyMs);
const bandwidthGbps = positive(LIMITS.bandwidthGbps);
const priceCnyPerGb = num(0, LIMITS.priceCnyPerGb);
const jurisdiction = z.enum(['cn-mainland', 'cn-hk', 'cn-macao', 'foreign']);

const siteSchema = z.strictObject({
  id: slug,
  name: label.min(1),
  nameZh: label.optional(),
  hub: label.optional(),
  province: label.min(1),
  kind: z.enum(['cluster', 'demand-centre', 'partner']).optional(),
  side: z.enum(['east', 'west']).optional(),
  jurisdiction: jurisdiction.optional(),
  coreDataApproved: z.boolean().optional(),
  lat: num(-90, 90),
  lon: num(-180, 180),
  utcOffsetH: utcOffsetH.optional(),
  pue: num(1, LIMITS.pue),
  powerCapMw: positive(LIMITS.powerCapMw),
  /** The site's budget over time (hours, seasons, contracted windows); `powerCapMw` at every hour without it. */
  powerBudget: powerBudgetSchema.optional(),
  gridCarbonKgPerKwh: num(0, LIMITS.gridCarbonKgPerKwh),
  greenShare: num(0, 1).optional(),
  tariff: tariffSchema,
  /** Grid intensity by local hour: 24 values, or a synthetic midday dip whose daily mean is the annual factor. */
  carbonProfile: z
    .union([z.array(num(0, LIMITS.gridCarbonKgPerKwh)).length(24), z.strictObject({ solarDip: num(0, 0.9) })])
    .optional(),
  /** The operator (under `operators:`) that runs the site and is paid for it. */
  operator: text(64).optional(),
  pools: list(poolSchema, LIMITS.poolsPerSite).min(1),
});

const quotaCount = int(0, LIMITS.poolAccelerators * 100);

export const networkSchema = z.strictObject({
  name: slug,
  description: text(LIMITS.textChars).optional(),
  defaults: z
    .strictObject({
      utcOffsetH: utcOffsetH.optional(),
      backend: text(64).optional(),
      nodeSize: int(1, LIMITS.nodeAccelerators).optional(),
    })
    .optional(),
  linkModel: z
    .strictObject({
      routeFactor: num(1, 10).optional(),
      minLatencyMs: latencyMs.optional(),
      bandwidthGbps: bandwidthGbps.optional(),
      priceCnyPerGb: priceCnyPerGb.optional(),
    })
    .optional(),
  tariffs: mapOf(tariffSchema, 1000, text(64)).optional(),
  accelerators: list(acceleratorSpecSchema, 1000).optional(),
  sites: list(siteSchema, LIMITS.sites).min(1),
  links: list(
    z.strictObject({
      a: text(64),
      b: text(64),
      latencyMs: latencyMs.optional(),
      bandwidthGbps: bandwidthGbps.optional(),
      priceCnyPerGb: priceCnyPerGb.optional(),
    }),
    LIMITS.links,
  ).optional(),
  datasets: list(
    z.strictObject({
      name: label.min(1),
      sizeGb: positive(LIMITS.datasetGb),
      replicas: list(text(64), LIMITS.replicas).min(1),
      level: z.enum(['general', 'important', 'core']).optional(),
      pi: z.enum(['none', 'pi', 'sensitive']).optional(),
      individuals: int(0, LIMITS.individuals).optional(),
      sensitiveIndividuals: int(0, LIMITS.individuals).optional(),
      tags: list(text(64).regex(/^[a-z][a-z0-9-]*$/, 'lower case and dashes'), LIMITS.tags).optional(),
      owner: text().optional(),
      checksum: sha256.optional(),
      quality: text(LIMITS.textChars).optional(),
    }),
    LIMITS.catalogEntries,
  ).optional(),
  tenants: list(
    z.strictObject({
      id: text().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dots, dashes or underscores'),
      name: label.min(1),
      sector: z.enum(SECTORS),
      shareWeight: positive(1000).optional(),
      clusterQueue: text(64).optional(),
      legalEntity: text(18)
        .regex(/^[0-9A-Z]{18}$/, 'a unified social credit code: 18 digits or capitals')
        .optional(),
      ciio: z.boolean().optional(),
      foreignControlled: z.boolean().optional(),
    }),
    LIMITS.catalogEntries,
  ).optional(),
  clusterQueues: list(
    z.strictObject({
      name: slug,
      cohort: slug.optional(),
      quotas: mapOf(
        z.strictObject({
          nominal: quotaCount,
          borrowingLimit: quotaCount.optional(),
          lendingLimit: quotaCount.optional(),
        }),
        LIMITS.acceleratorTypes * 4,
        text(64),
      ),
      preemption: z
        .strictObject({
          withinClusterQueue: z.enum(['Never', 'LowerPriority']).optional(),
          reclaimWithinCohort: z.enum(['Never', 'LowerPriority', 'Any']).optional(),
        })
        .optional(),
    }),
    LIMITS.clusterQueues,
  ).optional(),
  priorityClasses: mapOf(
    int(-LIMITS.priority, LIMITS.priority),
    64,
    text(64).regex(/^[a-z][a-z0-9-]*$/, 'must be lower case'),
  ).optional(),
  models: list(
    z.strictObject({
      id: slug,
      name: label.min(1),
      kind: z.enum(MODEL_KINDS),
      owner: text().min(1),
      weightsDigest: sha256,
      filedWeightsDigest: sha256.optional(),
      algorithmFilingNo: label.optional(),
      genaiFilingNo: label.optional(),
      registrationNo: label.optional(),
      upstreamFilingNo: label.optional(),
      sectors: list(z.enum(SECTORS), SECTORS.length),
    }),
    LIMITS.catalogEntries,
  ).optional(),
  approvals: list(
    z.strictObject({
      id: slug,
      type: z.enum(APPROVAL_TYPES),
      legalEntity: text().min(1),
      datasets: list(sha256, LIMITS.catalogEntries).optional(),
      to: list(jurisdiction, 4).optional(),
      validFrom: text(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
      validTo: text(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
      evidenceDigest: sha256.optional(),
    }),
    LIMITS.catalogEntries,
  ).optional(),
  operators: list(operatorSchema, LIMITS.catalogEntries).optional(),
  programmes: list(programmeSchema, LIMITS.programmes).optional(),
  /** Grid regions (provinces) with a power budget their sites share. */
  regions: list(regionSchema, LIMITS.sites).optional(),
});

type NetworkFile = z.infer<typeof networkSchema>;
type TariffInput = z.infer<typeof tariffSchema>;

/** Defaults of the link model: IP private network route factor (CAICT-calibrated), placeholders. */
export const DEFAULT_LINK_MODEL = {
  routeFactor: 2.75,
  minLatencyMs: 1,
  bandwidthGbps: 100,
  priceCnyPerGb: 0.05,
} as const;

/** Reads and validates a network file; every error names the file, line and field. */
export function loadNetworkFile(path: string): Network {
  const text = readInputFile(path, 'INVALID_NETWORK', 'network file');
  return parseNetwork(text, path);
}

const builtinFile = (name: string) => new URL(`../networks/${name}.yaml`, import.meta.url);

/** Names of the networks that ship with Suanli. */
export const BUILTIN_NETWORKS = ['cn-national'] as const;

export function builtinNetwork(name: (typeof BUILTIN_NETWORKS)[number] = 'cn-national'): Network {
  return parseNetwork(readFileSync(builtinFile(name), 'utf8'), `${name}.yaml`);
}

export function parseNetwork(text: string, source: string): Network {
  try {
    const parsed = parseText(text, source);
    const file = validate(networkSchema, parsed, 'INVALID_NETWORK');
    return compile(file, parsed);
  } catch (e) {
    if (e instanceof SuanliError && e.code === 'MALFORMED_INPUT') {
      throw new SuanliError('INVALID_NETWORK', e.message, e.location);
    }
    throw e;
  }
}

function compile(file: NetworkFile, parsed: ParsedText): Network {
  const fail = (path: FieldPath, message: string) => fieldError(parsed, 'INVALID_NETWORK', path, message);

  const accelerators = new Map<string, AcceleratorSpec>();
  for (const a of builtinAccelerators()) accelerators.set(a.type, a);
  for (const a of file.accelerators ?? []) accelerators.set(a.type, a);

  const siteIds = new Set<string>();
  const poolIds = new Set<string>();
  const sites: Site[] = file.sites.map((s, i) => {
    if (siteIds.has(s.id)) throw fail(['sites', i, 'id'], `duplicate site id ${s.id}`);
    siteIds.add(s.id);
    const pools: Pool[] = s.pools.map((p, j) => {
      if (!accelerators.has(p.accelerator)) {
        throw fail(
          ['sites', i, 'pools', j, 'accelerator'],
          `unknown accelerator type ${p.accelerator} (known: ${[...accelerators.keys()].sort().join(', ')})`,
        );
      }
      const id = p.id ?? `${s.id}-${p.accelerator.toLowerCase()}`;
      const nodeSize = p.nodeSize ?? file.defaults?.nodeSize;
      if (poolIds.has(id)) throw fail(['sites', i, 'pools', j], `duplicate pool id ${id}`);
      poolIds.add(id);
      return {
        id,
        siteId: s.id,
        accelerator: p.accelerator,
        count: p.count,
        ...(nodeSize !== undefined ? { nodeSize } : {}),
        priceCnyPerAcceleratorHour: p.priceCnyPerAcceleratorHour,
        backend: p.backend ?? file.defaults?.backend ?? 'sim',
        ...(p.powerBudget
          ? { powerBudget: budgetAt(p.powerBudget, ['sites', i, 'pools', j, 'powerBudget'], fail) }
          : {}),
      };
    });
    const tariff = compileTariff(s.tariff, file.tariffs ?? {}, ['sites', i, 'tariff'], fail);
    const carbon = compileCarbon(s.carbonProfile, s.gridCarbonKgPerKwh);
    return {
      id: s.id,
      name: s.name,
      ...(s.nameZh !== undefined ? { nameZh: s.nameZh } : {}),
      ...(s.hub !== undefined ? { hub: s.hub } : {}),
      province: s.province,
      kind: s.kind ?? 'cluster',
      ...(s.side !== undefined ? { side: s.side } : {}),
      jurisdiction: s.jurisdiction ?? 'cn-mainland',
      ...(s.coreDataApproved !== undefined ? { coreDataApproved: s.coreDataApproved } : {}),
      lat: s.lat,
      lon: s.lon,
      utcOffsetH: s.utcOffsetH ?? file.defaults?.utcOffsetH ?? 8,
      pue: s.pue,
      powerCapMw: s.powerCapMw,
      ...(s.powerBudget ? { powerBudget: budgetAt(s.powerBudget, ['sites', i, 'powerBudget'], fail) } : {}),
      tariffCnyPerKwh: tariff,
      gridCarbonKgPerKwh: s.gridCarbonKgPerKwh,
      ...(carbon ? { carbonKgPerKwhByHour: carbon } : {}),
      greenShare: s.greenShare ?? 0,
      ...(s.operator !== undefined ? { operator: s.operator } : {}),
      pools,
    };
  });

  const lm = file.linkModel;
  const model = {
    routeFactor: lm?.routeFactor ?? DEFAULT_LINK_MODEL.routeFactor,
    minLatencyMs: lm?.minLatencyMs ?? DEFAULT_LINK_MODEL.minLatencyMs,
    bandwidthGbps: lm?.bandwidthGbps ?? DEFAULT_LINK_MODEL.bandwidthGbps,
    priceCnyPerGb: lm?.priceCnyPerGb ?? DEFAULT_LINK_MODEL.priceCnyPerGb,
  };
  const links: Link[] = (file.links ?? []).map((l, i) => {
    if (!siteIds.has(l.a)) throw fail(['links', i, 'a'], `unknown site ${l.a}`);
    if (!siteIds.has(l.b)) throw fail(['links', i, 'b'], `unknown site ${l.b}`);
    return {
      a: l.a,
      b: l.b,
      latencyMs: l.latencyMs ?? model.minLatencyMs,
      bandwidthGbps: l.bandwidthGbps ?? model.bandwidthGbps,
      priceCnyPerGb: l.priceCnyPerGb ?? model.priceCnyPerGb,
    };
  });

  const datasetNames = new Set<string>();
  const datasets: Dataset[] = (file.datasets ?? []).map((d, i) => {
    if (datasetNames.has(d.name)) throw fail(['datasets', i, 'name'], `duplicate dataset ${d.name}`);
    datasetNames.add(d.name);
    d.replicas.forEach((r, j) => {
      if (!siteIds.has(r)) throw fail(['datasets', i, 'replicas', j], `unknown site ${r}`);
    });
    if (d.owner !== undefined && !(file.tenants ?? []).some((t) => t.id === d.owner)) {
      throw fail(['datasets', i, 'owner'], `unknown tenant ${d.owner}`);
    }
    return {
      name: d.name,
      sizeGb: d.sizeGb,
      replicas: d.replicas,
      ...(d.level !== undefined ? { level: d.level } : {}),
      ...(d.pi !== undefined ? { pi: d.pi } : {}),
      ...(d.individuals !== undefined ? { individuals: d.individuals } : {}),
      ...(d.sensitiveIndividuals !== undefined ? { sensitiveIndividuals: d.sensitiveIndividuals } : {}),
      ...(d.tags !== undefined ? { tags: d.tags } : {}),
      ...(d.owner !== undefined ? { owner: d.owner } : {}),
      ...(d.checksum !== undefined ? { checksum: d.checksum.replace(/^sha256:/, '') } : {}),
      ...(d.quality !== undefined ? { quality: d.quality } : {}),
    };
  });

  const queueNames = new Set<string>();
  const clusterQueues: ClusterQueue[] = (file.clusterQueues ?? []).map((q, i) => {
    if (queueNames.has(q.name)) throw fail(['clusterQueues', i, 'name'], `duplicate cluster queue ${q.name}`);
    queueNames.add(q.name);
    const quotas = Object.entries(q.quotas).map(([flavour, quota]): FlavourQuota => {
      if (!accelerators.has(flavour)) {
        throw fail(['clusterQueues', i, 'quotas', flavour], `unknown accelerator type ${flavour}`);
      }
      if (quota.lendingLimit !== undefined && quota.lendingLimit > quota.nominal) {
        throw fail(['clusterQueues', i, 'quotas', flavour, 'lendingLimit'], 'cannot exceed nominal');
      }
      return {
        flavour,
        nominal: quota.nominal,
        ...(quota.borrowingLimit !== undefined ? { borrowingLimit: quota.borrowingLimit } : {}),
        ...(quota.lendingLimit !== undefined ? { lendingLimit: quota.lendingLimit } : {}),
      };
    });
    return {
      name: q.name,
      ...(q.cohort !== undefined ? { cohort: q.cohort } : {}),
      quotas,
      preemption: {
        withinClusterQueue: q.preemption?.withinClusterQueue ?? 'LowerPriority',
        reclaimWithinCohort: q.preemption?.reclaimWithinCohort ?? 'Any',
      },
    };
  });

  const tenantIds = new Set<string>();
  const tenants: Tenant[] = (file.tenants ?? []).map((t, i) => {
    if (tenantIds.has(t.id)) throw fail(['tenants', i, 'id'], `duplicate tenant ${t.id}`);
    tenantIds.add(t.id);
    if (t.clusterQueue !== undefined && !queueNames.has(t.clusterQueue)) {
      throw fail(['tenants', i, 'clusterQueue'], `unknown cluster queue ${t.clusterQueue}`);
    }
    return {
      id: t.id,
      name: t.name,
      sector: t.sector,
      shareWeight: t.shareWeight ?? 1,
      ...(t.clusterQueue !== undefined ? { clusterQueue: t.clusterQueue } : {}),
      ...(t.legalEntity !== undefined ? { legalEntity: t.legalEntity } : {}),
      ...(t.ciio !== undefined ? { ciio: t.ciio } : {}),
      ...(t.foreignControlled !== undefined ? { foreignControlled: t.foreignControlled } : {}),
    };
  });

  const modelIds = new Set<string>();
  const models: Model[] = (file.models ?? []).map((m, i) => {
    if (modelIds.has(m.id)) throw fail(['models', i, 'id'], `duplicate model ${m.id}`);
    modelIds.add(m.id);
    if (!tenantIds.has(m.owner)) throw fail(['models', i, 'owner'], `unknown tenant ${m.owner}`);
    const digest = (s: string) => s.replace(/^sha256:/, '');
    return {
      id: m.id,
      name: m.name,
      kind: m.kind,
      owner: m.owner,
      weightsDigest: digest(m.weightsDigest),
      ...(m.filedWeightsDigest !== undefined ? { filedWeightsDigest: digest(m.filedWeightsDigest) } : {}),
      ...(m.algorithmFilingNo !== undefined ? { algorithmFilingNo: m.algorithmFilingNo } : {}),
      ...(m.genaiFilingNo !== undefined ? { genaiFilingNo: m.genaiFilingNo } : {}),
      ...(m.registrationNo !== undefined ? { registrationNo: m.registrationNo } : {}),
      ...(m.upstreamFilingNo !== undefined ? { upstreamFilingNo: m.upstreamFilingNo } : {}),
      sectors: m.sectors,
      audits: [],
    };
  });

  const approvals: Approval[] = (file.approvals ?? []).map((a, i) => {
    const from = Date.parse(`${a.validFrom}T00:00:00+08:00`) / 1000;
    const to = Date.parse(`${a.validTo}T00:00:00+08:00`) / 1000;
    if (!Number.isFinite(from)) throw fail(['approvals', i, 'validFrom'], `not a date: ${a.validFrom}`);
    if (!(to > from)) throw fail(['approvals', i, 'validTo'], 'must be after validFrom');
    return {
      id: a.id,
      type: a.type,
      legalEntity: a.legalEntity,
      ...(a.datasets ? { datasets: a.datasets.map((d) => d.replace(/^sha256:/, '')) } : {}),
      ...(a.to ? { to: a.to } : {}),
      validFromS: from,
      validToS: to,
      ...(a.evidenceDigest !== undefined ? { evidenceDigest: a.evidenceDigest } : {}),
    };
  });

  const operators = compileOperators(file.operators, fail);
  checkSiteOperators(file.sites, operators, fail);
  const programmes = compileProgrammes(file.programmes, fail);
  const regions = compileRegions(file.regions, sites, file.defaults?.utcOffsetH ?? 8, fail);

  return {
    name: file.name,
    accelerators: [...accelerators.values()],
    sites,
    links,
    linkModel: model,
    datasets,
    tenants,
    clusterQueues,
    priorityClasses: { ...DEFAULT_PRIORITY_CLASSES, ...file.priorityClasses },
    ...(models.length > 0 ? { models } : {}),
    ...(approvals.length > 0 ? { approvals } : {}),
    ...(operators.length > 0 ? { operators } : {}),
    ...(programmes.length > 0 ? { programmes } : {}),
    ...(regions.length > 0 ? { regions } : {}),
  };
}

/** Kueue-style priority classes every network has unless it redefines them. */
export const DEFAULT_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  critical: 1000,
  high: 100,
  normal: 0,
  low: -100,
};

/**
 * Hourly grid intensity. A `solarDip` d makes a SYNTHETIC shape: intensity falls around noon in
 * proportion to the sun (a half-sine from 06:00 to 18:00) and rises at night, so that its daily mean
 * stays the official annual factor: value(h) = mean × (1 + d × (s̄ − s(h))).
 */
function compileCarbon(
  input: readonly number[] | { readonly solarDip: number } | undefined,
  meanKgPerKwh: number,
): number[] | undefined {
  if (input === undefined) return undefined;
  if (Array.isArray(input)) return [...input];
  const dip = (input as { solarDip: number }).solarDip;
  const sun = Array.from({ length: 24 }, (_, h) => {
    const x = h + 0.5;
    return x > 6 && x < 18 ? Math.sin((Math.PI * (x - 6)) / 12) : 0;
  });
  const mean = sun.reduce((a, b) => a + b, 0) / 24;
  return sun.map((s) => meanKgPerKwh * (1 + dip * (mean - s)));
}

/** A tariff as 24 hourly prices (local time). */
function compileTariff(
  input: TariffInput,
  named: Readonly<Record<string, TariffInput>>,
  path: FieldPath,
  fail: (path: FieldPath, message: string) => SuanliError,
): number[] {
  if (typeof input === 'string') {
    const ref = named[input];
    if (ref === undefined || typeof ref === 'string') {
      const known = Object.keys(named).sort().join(', ');
      throw fail(path, `unknown tariff ${input}${known ? ` (known: ${known})` : ''}`);
    }
    return compileTariff(ref, named, path, fail);
  }
  if (Array.isArray(input)) return [...input];
  const hours = new Array<number>(24).fill(input.flatCnyPerKwh);
  const taken = new Array<string | undefined>(24).fill(undefined);
  (input.timeOfUse ?? []).forEach((period, p) => {
    period.hours.forEach(([from, to], h) => {
      if (from >= to) {
        throw fail([...path, 'timeOfUse', p, 'hours', h], `from ${from} must be before to ${to}`);
      }
      for (let x = from; x < to; x++) {
        const other = taken[x];
        if (other !== undefined) {
          throw fail([...path, 'timeOfUse', p, 'hours', h], `hour ${x} is in both ${other} and ${period.name}`);
        }
        taken[x] = period.name;
        hours[x] = input.flatCnyPerKwh * period.ratio;
      }
    });
  });
  return hours;
}
