import type { Dataset } from '../domain/dataset.ts';
import type { Job } from '../domain/job.ts';
import type { Model } from '../domain/model.ts';
import { APPROVAL_TYPES, type Network } from '../domain/network.ts';
import type { Site } from '../domain/site.ts';
import type { ExportRecord } from '../domain/snapshot.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { Facts } from './policy.ts';

/** The calendar year of an instant in a time zone (Asia/Shanghai: +8), without a clock or Date. */
export function yearOf(epochS: number, utcOffsetH = 8): number {
  // Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
  const z = Math.floor((epochS + utcOffsetH * 3600) / 86400) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/** What a legal entity has exported this year: individuals and data sets already counted. */
export interface ExportTally {
  readonly individuals: number;
  readonly sensitiveIndividuals: number;
  readonly checksums: ReadonlySet<string>;
}

export function tallyExports(exports: readonly ExportRecord[], legalEntity: string, year: number): ExportTally {
  let individuals = 0;
  let sensitiveIndividuals = 0;
  const checksums = new Set<string>();
  for (const e of exports) {
    if (e.legalEntity !== legalEntity || e.year !== year || checksums.has(e.datasetChecksum)) continue;
    checksums.add(e.datasetChecksum);
    individuals += e.individuals;
    sensitiveIndividuals += e.sensitiveIndividuals;
  }
  return { individuals, sensitiveIndividuals, checksums };
}

export interface FactSources {
  readonly network: Network;
  readonly nowS: number;
  readonly tally: (legalEntity: string) => ExportTally;
}

export function tenantOf(network: Network, id: string): Tenant | undefined {
  return network.tenants.find((t) => t.id === id);
}

function jobFacts(job: Job) {
  return {
    id: job.id,
    name: job.name,
    kind: job.kind,
    tenant: job.tenant,
    exposure: job.exposure ?? 'internal',
    servesSector: job.servesSector,
    labeling: job.labeling ?? false,
    physicianSignOff: job.physicianSignOff ?? false,
    model: job.model,
    datasets: job.datasets.length,
  };
}

function tenantFacts(t: Tenant | undefined, id: string) {
  return {
    id,
    sector: t?.sector,
    legalEntity: t?.legalEntity ?? id,
    ciio: t?.ciio ?? false,
    foreignControlled: t?.foreignControlled ?? false,
  };
}

function datasetFacts(d: Dataset, network: Network) {
  const mainland = d.replicas.some((r) => network.sites.some((s) => s.id === r && s.jurisdiction === 'cn-mainland'));
  return {
    name: d.name,
    level: d.level,
    pi: d.pi,
    individuals: d.individuals ?? (d.pi === 'none' ? 0 : undefined),
    sensitiveIndividuals: d.sensitiveIndividuals ?? (d.pi === 'sensitive' ? undefined : 0),
    tags: d.tags ?? [],
    checksum: d.checksum,
    owner: d.owner,
    mainland,
  };
}

function modelFacts(m: Model | undefined, job: Job) {
  if (!m) return undefined;
  const filedDigest = m.filedWeightsDigest !== undefined && m.filedWeightsDigest === m.weightsDigest;
  // The latest audit of these weights for the sector decides.
  const audit = [...m.audits]
    .reverse()
    .find((a) => a.sector === job.servesSector && a.weightsDigest === m.weightsDigest);
  return {
    id: m.id,
    kind: m.kind,
    weightsDigest: m.weightsDigest,
    // A filing the model does not have is empty: it matches no number format, and does not exist.
    filedWeightsDigest: m.filedWeightsDigest ?? '',
    algorithmFilingNo: m.algorithmFilingNo ?? '',
    genaiFilingNo: m.genaiFilingNo ?? '',
    registrationNo: m.registrationNo ?? '',
    upstreamFilingNo: m.upstreamFilingNo ?? '',
    /** The filings hold for the weights now registered. */
    filedDigest,
    sectors: m.sectors,
    servesSectorAllowed: job.servesSector === undefined || m.sectors.includes(job.servesSector),
    /** An audit of these weights for the sector served passed. */
    fairnessPassed: audit?.passed ?? false,
  };
}

function siteFacts(s: Site) {
  return {
    id: s.id,
    jurisdiction: s.jurisdiction,
    kind: s.kind,
    mainland: s.jurisdiction === 'cn-mainland',
    coreDataApproved: s.coreDataApproved ?? false,
  };
}

const NO_APPROVALS: Readonly<Record<string, boolean>> = Object.fromEntries(APPROVAL_TYPES.map((t) => [t, false]));

/** Valid approvals of the entity by type, for a data set (checksum) and a destination, at `nowS`. */
function approvalFacts(
  network: Network,
  legalEntity: string,
  nowS: number,
  checksum: string | undefined,
  to: string | undefined,
): Record<string, boolean> {
  const out: Record<string, boolean> = { ...NO_APPROVALS };
  for (const a of network.approvals ?? []) {
    if (a.legalEntity !== legalEntity || nowS < a.validFromS || nowS >= a.validToS) continue;
    if (a.datasets && (checksum === undefined || !a.datasets.includes(checksum))) continue;
    if (a.to && to !== undefined && !a.to.includes(to)) continue;
    out[a.type] = true;
  }
  return out;
}

/** Facts of a job that no site or data set changes: built once per job and cycle. */
interface JobBase {
  readonly job: Record<string, unknown>;
  readonly tenant: ReturnType<typeof tenantFacts>;
  readonly model: Record<string, unknown> | undefined;
}

/**
 * Builds the facts rules read, caching what does not change: a job's own facts, each data set's,
 * each site's. Placement checks every (job, site) pair, so this is on the scheduler's hot path.
 */
export class FactCache {
  private readonly src: FactSources;
  private readonly jobs = new WeakMap<Job, JobBase>();
  private readonly datasets = new WeakMap<Dataset, ReturnType<typeof datasetFacts>>();
  private readonly sites = new WeakMap<Site, ReturnType<typeof siteFacts>>();
  private readonly approvals = new Map<string, Record<string, boolean>>();

  private approvalsOf(legalEntity: string, checksum: string | undefined, to: string | undefined) {
    const key = `${legalEntity}|${checksum ?? ''}|${to ?? ''}`;
    let a = this.approvals.get(key);
    if (!a) {
      a = approvalFacts(this.src.network, legalEntity, this.src.nowS, checksum, to);
      this.approvals.set(key, a);
    }
    return a;
  }

  constructor(src: FactSources) {
    this.src = src;
  }

  private base(job: Job): JobBase {
    let b = this.jobs.get(job);
    if (!b) {
      const network = this.src.network;
      const model = job.model === undefined ? undefined : network.models?.find((m) => m.id === job.model);
      b = {
        job: jobFacts(job),
        tenant: tenantFacts(tenantOf(network, job.tenant), job.tenant),
        model: job.model === undefined ? undefined : modelFacts(model, job),
      };
      this.jobs.set(job, b);
    }
    return b;
  }

  private dataset(d: Dataset): ReturnType<typeof datasetFacts> {
    let f = this.datasets.get(d);
    if (!f) {
      f = datasetFacts(d, this.src.network);
      this.datasets.set(d, f);
    }
    return f;
  }

  private site(s: Site): ReturnType<typeof siteFacts> {
    let f = this.sites.get(s);
    if (!f) {
      f = siteFacts(s);
      this.sites.set(s, f);
    }
    return f;
  }

  /**
   * The facts for a job, optionally one of its data sets and a candidate site. Unknown values
   * stay undefined: a rule that compares them cannot be evaluated and denies.
   */
  facts(job: Job, dataset?: Dataset, site?: Site): Facts {
    const { job: j, tenant, model } = this.base(job);
    const d = dataset ? this.dataset(dataset) : undefined;
    const s = site ? this.site(site) : undefined;
    let transfer: Record<string, unknown> | undefined;
    if (d && s) {
      const crossBorder = d.mainland && !s.mainland;
      const tally = this.src.tally(tenant.legalEntity);
      const counted = d.checksum !== undefined && tally.checksums.has(d.checksum);
      const add = (n: number | undefined) => (counted || !crossBorder ? 0 : n);
      const individuals = add(d.individuals);
      const sensitive = add(d.sensitiveIndividuals);
      transfer = {
        crossBorder,
        to: s.jurisdiction,
        gba: s.jurisdiction === 'cn-hk' || s.jurisdiction === 'cn-macao',
        individualsThisYear: individuals === undefined ? undefined : tally.individuals + individuals,
        sensitiveThisYear: sensitive === undefined ? undefined : tally.sensitiveIndividuals + sensitive,
      };
    }
    return {
      job: j,
      tenant,
      dataset: d,
      site: s,
      model,
      transfer,
      approval: this.approvalsOf(tenant.legalEntity, d?.checksum, s?.jurisdiction),
    };
  }
}

/** The facts for one check, without a cache (tests, dry runs). */
export function factsFor(src: FactSources, job: Job, dataset?: Dataset, site?: Site): Facts {
  return new FactCache(src).facts(job, dataset, site);
}

/** Every fact a rule may name, by group; rules naming others are refused at load. */
export const FACT_NAMES: Readonly<Record<string, readonly string[]>> = {
  job: [
    'id',
    'name',
    'kind',
    'tenant',
    'exposure',
    'servesSector',
    'labeling',
    'physicianSignOff',
    'model',
    'datasets',
  ],
  tenant: ['id', 'sector', 'legalEntity', 'ciio', 'foreignControlled'],
  dataset: ['name', 'level', 'pi', 'individuals', 'sensitiveIndividuals', 'tags', 'checksum', 'owner', 'mainland'],
  site: ['id', 'jurisdiction', 'kind', 'mainland', 'coreDataApproved'],
  model: [
    'id',
    'kind',
    'weightsDigest',
    'filedWeightsDigest',
    'algorithmFilingNo',
    'genaiFilingNo',
    'registrationNo',
    'upstreamFilingNo',
    'filedDigest',
    'sectors',
    'servesSectorAllowed',
    'fairnessPassed',
  ],
  transfer: ['crossBorder', 'to', 'gba', 'individualsThisYear', 'sensitiveThisYear'],
  approval: APPROVAL_TYPES,
};
