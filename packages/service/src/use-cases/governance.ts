import { createHash } from 'node:crypto';
import {
  admit,
  type Dataset,
  type FairnessRow,
  fairnessReport,
  type Model,
  type Network,
  type Policy,
  SECTORS,
  type Sector,
  testPolicy,
} from '@suanli/engine';
import { canonicalJson } from '../audit.ts';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import { toEngineJob } from '../job-record.ts';
import type { JobSpec } from '../job-spec.ts';
import type { Store, StoredModelAudit } from '../ports/store.ts';
import type { UseCaseContext } from './context.ts';
import { readSpec, type SpecInput } from './spec-input.ts';

/**
 * The network's catalog as the service knows it: the network file's, with the fairness audits
 * stored since merged into the model registry (a new network object each time: networks are values).
 */
export class Catalog {
  private net: Network;
  private loaded = false;
  private readonly store: Store;
  private readonly onChange: (network: Network) => void;

  constructor(network: Network, store: Store, onChange: (network: Network) => void) {
    this.net = network;
    this.store = store;
    this.onChange = onChange;
  }

  get network(): Network {
    return this.net;
  }

  /** Merges the stored fairness audits into the model registry, once. */
  async load(): Promise<Network> {
    if (!this.loaded) {
      const audits = await this.store.listModelAudits();
      this.loaded = true;
      if (audits.length > 0) this.set(withAudits(this.net, audits));
    }
    return this.net;
  }

  add(audit: StoredModelAudit): void {
    this.set(withAudits(this.net, [audit]));
  }

  private set(network: Network): void {
    this.net = network;
    this.onChange(network);
  }
}

/** Governance: admission, dry runs of the rules, the data catalog, the model registry and its audits. */
export class Governance {
  private readonly ctx: UseCaseContext;
  private readonly catalog: Catalog;

  constructor(ctx: UseCaseContext, catalog: Catalog) {
    this.ctx = ctx;
    this.catalog = catalog;
  }

  /**
   * Admission: the policy's admission rules. A denied job is not stored; the denial is, in the
   * audit log (rule ids and a digest of the spec, no personal data), and the error names every rule.
   * Rules that cannot be evaluated deny (fail closed).
   */
  async admitOrThrow(spec: JobSpec, nowS: number): Promise<void> {
    const policy = this.ctx.policy;
    if (!policy) return;
    const network = await this.catalog.load();
    const job = toEngineJob({ id: 'admission', state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS });
    // The counters as this process knows them: admission rules read no transfer counters, and a
    // submission does not wait for a catch-up with the log.
    const admission = admit(policy, job, network, await this.exports(false), nowS);
    if (admission.allowed) return;
    await this.ctx.store.appendAudit({
      atS: nowS,
      kind: 'job.denied',
      subject: spec.tenant,
      data: {
        specDigest: createHash('sha256').update(canonicalJson(spec)).digest('hex'),
        policy: `${admission.policy.name}@${admission.policy.version}`,
        rules: admission.denials.map((d) => d.rule),
      },
    });
    throw new SuanliError(
      'POLICY_DENIED',
      `denied by policy ${admission.policy.name} v${admission.policy.version}: ${admission.denials.map((d) => d.reason).join('; ')}`,
    );
  }

  /** A dry run of the governance rules for a job spec: admission, and placement at every site. */
  async testPolicy(input: SpecInput, actor: Principal): Promise<ReturnType<typeof testPolicy>> {
    authorize(actor, 'policies.test');
    const policy = this.ctx.policy;
    if (!policy) throw new SuanliError('INVALID_POLICY', 'no policy is loaded');
    const network = await this.catalog.load();
    const nowS = this.ctx.clock.nowS();
    const spec = readSpec(input, network, nowS);
    authorize(actor, 'policies.test', spec.tenant);
    await this.ctx.access.checkOwnership(spec);
    const job = toEngineJob({ id: 'test', state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS });
    return testPolicy(policy, job, network, await this.exports(true), nowS);
  }

  /** The model registry, with each model's audits. */
  async models(actor: Principal): Promise<readonly Model[]> {
    authorize(actor, 'catalog.read');
    return (await this.catalog.load()).models ?? [];
  }

  /** The data catalog. */
  datasets(actor: Principal): readonly Dataset[] {
    authorize(actor, 'catalog.read');
    return this.catalog.network.datasets;
  }

  /** The policy in force, for listing. */
  policyInForce(actor: Principal): Policy {
    authorize(actor, 'policies.read');
    if (!this.ctx.policy) {
      throw new SuanliError('INVALID_POLICY', 'no policy is loaded (the server runs with --no-policy)');
    }
    return this.ctx.policy;
  }

  /**
   * Runs a fairness audit of a model for a sector from uploaded predictions, labels and a sensitive
   * attribute (CSV: prediction,label,group), stores it with the model (figures, per-group rates and
   * a digest of the input, never the rows) and records it in the audit log.
   */
  async auditModel(
    modelId: string,
    sector: string,
    csv: string,
    source: string,
    actor: Principal,
  ): Promise<StoredModelAudit> {
    authorize(actor, 'models.audit');
    const network = await this.catalog.load();
    const model = network.models?.find((m) => m.id === modelId);
    if (!model) throw new SuanliError('UNKNOWN_MODEL', `unknown model ${modelId}`);
    authorize(actor, 'models.audit', model.owner);
    if (!(SECTORS as readonly string[]).includes(sector)) {
      throw new SuanliError('INVALID_FIELD', `unknown sector ${sector} (known: ${SECTORS.join(', ')})`, {
        field: 'sector',
      });
    }
    const rows = parseFairnessCsv(csv, source);
    const report = fairnessReport(rows);
    const nowS = this.ctx.clock.nowS();
    const audit: StoredModelAudit = {
      modelId,
      sector: sector as Sector,
      weightsDigest: model.weightsDigest,
      atS: nowS,
      passed: report.passed,
      demographicParityDifference: report.demographicParityDifference,
      equalizedOddsDifference: report.equalizedOddsDifference,
      disparateImpactRatio: report.disparateImpactRatio,
      report,
      inputDigest: createHash('sha256').update(csv).digest('hex'),
    };
    await this.ctx.store.insertModelAudit(audit, {
      atS: nowS,
      kind: 'model.audited',
      subject: modelId,
      data: {
        sector,
        weightsDigest: model.weightsDigest,
        passed: report.passed,
        demographicParityDifference: report.demographicParityDifference,
        equalizedOddsDifference: report.equalizedOddsDifference,
        disparateImpactRatio: report.disparateImpactRatio,
        groups: report.groups.length,
        inputDigest: audit.inputDigest,
      },
    });
    this.catalog.add(audit);
    return audit;
  }

  /** The transfers abroad on record: the ledger's counters (caught up with the store when `fresh`). */
  private async exports(fresh: boolean) {
    if (fresh) await this.ctx.live.exclusive(() => this.ctx.live.catchUp());
    else await this.ctx.live.ready();
    return this.ctx.live.ledger.exports;
  }
}

/** The network with audits added to their models (a new object: networks are values). */
export function withAudits(network: Network, audits: readonly StoredModelAudit[]): Network {
  if (!network.models) return network;
  return {
    ...network,
    models: network.models.map((m) => {
      const mine = audits.filter((a) => a.modelId === m.id);
      if (mine.length === 0) return m;
      const fairness = mine.map(({ modelId: _m, report: _r, inputDigest: _i, ...a }) => a);
      return { ...m, audits: [...m.audits, ...fairness] };
    }),
  };
}

/** Reads `prediction,label,group` rows (0/1, 0/1, any text); every problem names its line. */
export function parseFairnessCsv(text: string, source: string): FairnessRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase();
  if (header !== 'prediction,label,group') {
    throw new SuanliError('MALFORMED_INPUT', 'the header must be prediction,label,group', { source, line: 1 });
  }
  const rows: FairnessRow[] = [];
  lines.slice(1).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const [p, l, ...g] = line.split(',');
    const group = g.join(',').trim();
    const bit = (v: string | undefined, field: string): 0 | 1 => {
      const t = v?.trim();
      if (t === '0' || t === '1') return t === '1' ? 1 : 0;
      throw new SuanliError('MALFORMED_INPUT', `${field} must be 0 or 1, not ${JSON.stringify(t ?? '')}`, {
        source,
        line: i + 2,
        field,
      });
    };
    const prediction = bit(p, 'prediction');
    const label = bit(l, 'label');
    if (group === '')
      throw new SuanliError('MALFORMED_INPUT', 'group is empty', { source, line: i + 2, field: 'group' });
    rows.push({ prediction, label, group });
  });
  if (rows.length === 0) throw new SuanliError('MALFORMED_INPUT', 'no rows', { source, line: 2 });
  return rows;
}
