import { type LinkCut, type OutageClass, prepareNetwork, type SiteOutage } from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import { ACTIVE_STATES, type FailedRun, JOB_STATES } from '../job-record.ts';
import type { UseCaseContext } from './context.ts';
import { recordFailure } from './recovery.ts';
import { timeScaleOf } from './time-scale.ts';

/** How long a backend may stay silent before its sites are taken out of service (default). */
export const DEFAULT_HEALTH_TIMEOUT_S = 120;

/** A site as health sees it: in service, or out since when, why and how. */
export interface SiteHealthView {
  readonly siteId: string;
  readonly state: 'in-service' | 'out';
  readonly sinceS?: number;
  readonly failureClass?: OutageClass;
  readonly reason?: string;
}

export interface NetworkHealthView {
  readonly sites: readonly SiteHealthView[];
  readonly links: readonly LinkCut[];
}

/**
 * Sites' and links' health, in the shared ledger: a site goes out of service when its backend has
 * not answered for `timeoutS` (backend-unreachable) or when an operator declares it out (a
 * site-outage: maintenance, a drill, a known outage); its runs fail by their recovery policies
 * (the simulator's outages take the same path), new placements avoid it, and it comes back when
 * its backend answers again (or the operator says so). Every change is an audit entry; the
 * ledger of every process learns it from the log.
 *
 * Fencing: each run is one attempt of its job, and a backend's reports are matched to the attempt
 * that was handed to it (its external id), so a late report of an old attempt never moves the job.
 * A run cut off by an outage is recorded with its fence pending: when its backend answers again
 * the late report is recorded (`job.late-report`) and ignored, and the old run is cancelled
 * (`job.fenced`), so it does not run on beside the job's new attempt.
 */
export class SiteHealth {
  private readonly ctx: UseCaseContext;
  private readonly timeoutS: number;
  /** Backends that did not answer, since when and how they failed. */
  private readonly silent = new Map<string, { readonly sinceS: number; readonly message: string }>();
  /** Jobs with a run whose fence is pending, by backend; loaded from the store on first use. */
  private fences: Map<string, Set<string>> | undefined;

  constructor(ctx: UseCaseContext, timeoutS = DEFAULT_HEALTH_TIMEOUT_S) {
    this.ctx = ctx;
    this.timeoutS = timeoutS;
  }

  /** Every site's health and the links cut. */
  view(actor: Principal): NetworkHealthView {
    authorize(actor, 'sites.read');
    const health = this.ctx.live.ledger.health;
    return {
      sites: this.ctx.network().sites.map((s): SiteHealthView => {
        const o = health.sites.get(s.id);
        return o
          ? { siteId: s.id, state: 'out', sinceS: o.sinceS, failureClass: o.failureClass, reason: o.reason }
          : { siteId: s.id, state: 'in-service' };
      }),
      links: [...health.links.values()],
    };
  }

  /**
   * What a backend did when asked (a poll, a ping, a hand-over): answered, or not. A backend silent
   * for the timeout takes its sites out; one that answers again brings back the sites it took out
   * and fences the runs cut off there.
   */
  async observe(backend: string, answered: boolean, error?: unknown): Promise<void> {
    const nowS = this.ctx.clock.nowS();
    if (answered) {
      if (this.silent.delete(backend)) {
        for (const siteId of this.sitesOf(backend)) {
          const o = this.ctx.live.ledger.health.sites.get(siteId);
          if (o?.failureClass === 'backend-unreachable' && !this.sitesSilent().has(siteId)) {
            await this.back(siteId, `backend ${backend} answers again`, nowS);
          }
        }
      }
      await this.fence(backend);
      return;
    }
    const message = error instanceof Error ? error.message : String(error ?? 'no answer');
    const since = this.silent.get(backend) ?? { sinceS: nowS, message };
    this.silent.set(backend, { sinceS: since.sinceS, message });
    if (nowS - since.sinceS < this.timeoutS) return;
    for (const siteId of this.sitesOf(backend)) {
      if (this.ctx.live.ledger.health.sites.has(siteId)) continue;
      const reason = `backend ${backend} has not answered for ${Math.round(nowS - since.sinceS)} s (${message})`;
      await this.out(siteId, 'backend-unreachable', reason, nowS);
    }
  }

  /** An operator takes a site out of service (maintenance, a drill, an outage known before its backend falls silent). */
  async declareOut(siteId: string, reason: string, actor: Principal): Promise<SiteHealthView> {
    authorize(actor, 'sites.health');
    this.knownSite(siteId);
    const nowS = this.ctx.clock.nowS();
    if (!this.ctx.live.ledger.health.sites.has(siteId)) {
      await this.out(siteId, 'site-outage', `${reason} (declared by ${actor.name})`, nowS);
    }
    return this.siteView(siteId);
  }

  /** An operator brings a site back into service. */
  async declareIn(siteId: string, actor: Principal): Promise<SiteHealthView> {
    authorize(actor, 'sites.health');
    this.knownSite(siteId);
    const o = this.ctx.live.ledger.health.sites.get(siteId);
    if (o) await this.back(siteId, `declared in service by ${actor.name}`, this.ctx.clock.nowS());
    for (const b of this.backendsOf(siteId)) await this.fence(b);
    return this.siteView(siteId);
  }

  /** An operator records a cut link (no data is staged over it), or its repair. */
  async setLink(from: string, to: string, cut: boolean, reason: string, actor: Principal): Promise<readonly LinkCut[]> {
    authorize(actor, 'sites.health');
    this.knownSite(from, 'from');
    this.knownSite(to, 'to');
    if (from === to) throw new SuanliError('INVALID_FIELD', 'to: a link joins two different sites');
    const nowS = this.ctx.clock.nowS();
    const ledger = this.ctx.live.ledger;
    if (cut) {
      const entry: LinkCut = { from, to, sinceS: nowS, reason: `${reason} (declared by ${actor.name})` };
      if (ledger.linkCut(entry, nowS)) {
        await this.ctx.store.appendAudit({ atS: nowS, kind: 'link.cut', subject: `${from}|${to}`, data: { ...entry } });
      }
    } else if (ledger.linkBack(from, to, nowS)) {
      await this.ctx.store.appendAudit({
        atS: nowS,
        kind: 'link.restored',
        subject: `${from}|${to}`,
        data: { from, to, by: actor.name },
      });
    }
    return [...ledger.health.links.values()];
  }

  /** Takes a site out: audited, out of the ledger's placements, and its runs failed by their policies. */
  private async out(siteId: string, failureClass: OutageClass, reason: string, nowS: number): Promise<void> {
    const outage: SiteOutage = { siteId, sinceS: nowS, failureClass, reason };
    await this.ctx.store.appendAudit({ atS: nowS, kind: 'site.unhealthy', subject: siteId, data: { ...outage } });
    this.ctx.live.ledger.siteOut(outage, nowS);
    this.ctx.warn(`site ${siteId} is out of service: ${reason}`);
    const here = [...this.ctx.live.records()].filter(
      (r) => ACTIVE_STATES.includes(r.state) && r.placement?.siteId === siteId,
    );
    for (const r of here) {
      const failed = await recordFailure(
        this.ctx,
        r,
        { externalId: r.externalId ?? '', state: 'failed', failureClass, message: reason, endedAtS: nowS },
        nowS,
        timeScaleOf(this.ctx, r),
        true,
      );
      if (!failed) continue;
      this.ctx.live.reconcile(failed);
      if (r.backend && r.externalId) this.fencesOf(r.backend).add(r.id);
    }
    // Where the backend still answers (a declared outage), the runs cut off are stopped at once.
    for (const b of this.backendsOf(siteId)) if (!this.silent.has(b)) await this.fence(b);
  }

  private async back(siteId: string, reason: string, nowS: number): Promise<void> {
    const o = this.ctx.live.ledger.health.sites.get(siteId);
    if (!o) return;
    await this.ctx.store.appendAudit({
      atS: nowS,
      kind: 'site.healthy',
      subject: siteId,
      data: { siteId, outS: Math.round(nowS - o.sinceS), reason },
    });
    this.ctx.live.ledger.siteBack(siteId, nowS);
    this.ctx.warn(`site ${siteId} is back in service: ${reason}`);
  }

  /**
   * Cancels the runs cut off on a backend that answers: each late report is recorded and ignored,
   * the run is cancelled, and its fence is marked done. A backend that fails again leaves them pending.
   */
  private async fence(backendName: string): Promise<void> {
    const pending = (await this.loadFences()).get(backendName);
    if (!pending || pending.size === 0) return;
    const backend = this.ctx.backends.get(backendName);
    if (!backend) return;
    for (const jobId of [...pending]) {
      const r = await this.ctx.store.getJob(jobId);
      const i = r?.failures?.findIndex((f) => f.fence === 'pending' && f.backend === backendName) ?? -1;
      const run = r?.failures?.[i];
      if (!r || !run?.externalId) {
        pending.delete(jobId);
        continue;
      }
      let lateState: string;
      try {
        const [late] = await backend.poll([run.externalId]);
        lateState = late?.state ?? 'unknown';
        if (late && (late.state === 'queued' || late.state === 'running')) await backend.cancel(run.externalId);
      } catch (e) {
        this.ctx.warn(`cannot fence attempt ${run.attempt} of job ${jobId} on ${backendName} yet`, e);
        return;
      }
      const nowS = this.ctx.clock.nowS();
      const about = { attempt: run.attempt, siteId: run.siteId, backend: backendName, externalId: run.externalId };
      await this.ctx.store.appendAudit({
        atS: nowS,
        kind: 'job.late-report',
        subject: jobId,
        data: { ...about, state: lateState, outcome: 'ignored: the attempt was fenced off' },
      });
      const failures = (r.failures ?? []).map((f, k): FailedRun => (k === i ? { ...f, fence: 'done' } : f));
      const updated = await this.ctx.store.transitionJob(
        jobId,
        JOB_STATES,
        { failures, updatedAtS: nowS },
        {
          atS: nowS,
          kind: 'job.fenced',
          subject: jobId,
          data: { ...about, lateState, cancelled: lateState === 'queued' || lateState === 'running' },
        },
      );
      if (updated) this.ctx.live.remember(updated);
      pending.delete(jobId);
    }
  }

  /** Runs with a pending fence: kept as they are made, found in the store once after a start. */
  private async loadFences(): Promise<Map<string, Set<string>>> {
    if (this.fences) return this.fences;
    const fences = new Map<string, Set<string>>();
    for (const r of await this.ctx.store.listJobs({ states: JOB_STATES })) {
      for (const f of r.failures ?? []) {
        if (f.fence !== 'pending' || !f.backend) continue;
        const set = fences.get(f.backend) ?? new Set<string>();
        set.add(r.id);
        fences.set(f.backend, set);
      }
    }
    this.fences ??= fences;
    return this.fences;
  }

  private fencesOf(backend: string): Set<string> {
    this.fences ??= new Map();
    let set = this.fences.get(backend);
    if (!set) {
      set = new Set();
      this.fences.set(backend, set);
    }
    return set;
  }

  /** Sites whose pools a backend runs. */
  private sitesOf(backend: string): string[] {
    return this.ctx
      .network()
      .sites.filter((s) => s.pools.some((p) => p.backend === backend))
      .map((s) => s.id);
  }

  private backendsOf(siteId: string): string[] {
    const site = prepareNetwork(this.ctx.network()).siteById.get(siteId);
    return [...new Set(site?.site.pools.map((p) => p.backend) ?? [])];
  }

  /** Sites with a backend that is silent now. */
  private sitesSilent(): Set<string> {
    return new Set([...this.silent.keys()].flatMap((b) => this.sitesOf(b)));
  }

  private knownSite(siteId: string, field = 'siteId'): void {
    if (!prepareNetwork(this.ctx.network()).siteById.has(siteId)) {
      throw new SuanliError('SITE_NOT_FOUND', `${field}: no site ${siteId}`);
    }
  }

  private siteView(siteId: string): SiteHealthView {
    return this.view({ name: 'system', role: 'operator' }).sites.find((s) => s.siteId === siteId) as SiteHealthView;
  }
}
