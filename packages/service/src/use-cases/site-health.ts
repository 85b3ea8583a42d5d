import { type LinkCut, type OutageClass, prepareNetwork, type SiteOutage } from '@suanli/engine';
import { authorize, type Principal, SYSTEM } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import { ACTIVE_STATES, type FailedRun, JOB_STATES } from '../job-record.ts';
import type { Backend } from '../ports/backend.ts';
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

  /** Forgets backends' silence and the fences it knew (another server may have scheduled meanwhile). */
  forget(): void {
    this.silent.clear();
    this.fences = undefined;
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
   * What a backend did when polled or pinged: answered, or not (a refused hand-over is an answer).
   * A backend silent for the timeout takes its sites out; one that answers brings back the sites
   * held out because a backend was silent (as the ledger knows them: after a restart too) and
   * fences the runs cut off there.
   */
  async observe(backend: string, answered: boolean, error?: unknown): Promise<void> {
    const nowS = this.ctx.clock.nowS();
    if (answered) {
      this.silent.delete(backend);
      let back = false;
      for (const siteId of this.sitesOf(backend)) {
        const o = this.ctx.live.ledger.health.sites.get(siteId);
        if (o?.failureClass === 'backend-unreachable' && !this.sitesSilent().has(siteId)) {
          await this.back(siteId, `backend ${backend} answers again`, nowS);
          back = true;
        }
      }
      if (back) this.ctx.warn(`backend ${backend} answers again`);
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

  /** An operator brings a site back into service (a silent backend's clock starts again). */
  async declareIn(siteId: string, actor: Principal): Promise<SiteHealthView> {
    authorize(actor, 'sites.health');
    this.knownSite(siteId);
    const o = this.ctx.live.ledger.health.sites.get(siteId);
    if (o) await this.back(siteId, `declared in service by ${actor.name}`, this.ctx.clock.nowS());
    // The runs cut off there are fenced by the server that schedules, when it next asks the backend.
    for (const b of this.backendsOf(siteId)) this.silent.delete(b);
    return this.siteView(siteId);
  }

  /** An operator records a cut link (no data is staged over it), or its repair. */
  async setLink(from: string, to: string, cut: boolean, reason: string, actor: Principal): Promise<readonly LinkCut[]> {
    authorize(actor, 'sites.health');
    this.knownSite(from, 'from');
    this.knownSite(to, 'to');
    if (from === to) throw new SuanliError('INVALID_FIELD', 'a link joins two different sites', { field: 'to' });
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

  /**
   * Takes a site out: audited, and out of the ledger's placements. Its runs are failed by the
   * server that schedules (`failCutOff`), whichever server took the site out.
   */
  private async out(siteId: string, failureClass: OutageClass, reason: string, nowS: number): Promise<void> {
    const outage: SiteOutage = { siteId, sinceS: nowS, failureClass, reason };
    await this.ctx.store.appendAudit({ atS: nowS, kind: 'site.unhealthy', subject: siteId, data: { ...outage } });
    this.ctx.live.ledger.siteOut(outage, nowS);
    this.ctx.warn(`site ${siteId} is out of service: ${reason}`);
  }

  /**
   * On the server that schedules, after the backends were asked: every run placed at a site out of
   * service (placed, handed over or running) fails with the outage's class, as of the outage's
   * start, and recovers by its policy; its fence is pending. Where the backend still answers (a
   * declared outage) the runs cut off are stopped at once. Returns the records changed.
   */
  async failCutOff(): Promise<number> {
    const sites = this.ctx.live.ledger.health.sites;
    if (sites.size === 0) return 0;
    const nowS = this.ctx.clock.nowS();
    const fences = await this.loadFences();
    const backends = new Set<string>();
    let changed = 0;
    for (const r of [...this.ctx.live.records()]) {
      const o = r.placement ? sites.get(r.placement.siteId) : undefined;
      if (!o || !ACTIVE_STATES.includes(r.state)) continue;
      const endedAtS = Math.max(o.sinceS, r.placedAtS ?? o.sinceS);
      const failed = await recordFailure(
        this.ctx,
        r,
        { externalId: r.externalId ?? '', state: 'failed', failureClass: o.failureClass, message: o.reason, endedAtS },
        nowS,
        timeScaleOf(this.ctx, r),
        true,
      );
      if (!failed) continue;
      this.ctx.live.reconcile(failed);
      changed++;
      if (r.backend && r.externalId) {
        const set = fences.get(r.backend) ?? new Set<string>();
        set.add(r.id);
        fences.set(r.backend, set);
        backends.add(r.backend);
      }
    }
    for (const b of backends) if (!this.silent.has(b)) await this.fence(b);
    return changed;
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
      if (!(await this.fenceJob(backendName, backend, jobId))) return;
      pending.delete(jobId);
    }
  }

  /**
   * Fences every pending run of one job on one backend. False when the backend failed to answer
   * (the fences stay pending, tried again when it answers).
   */
  private async fenceJob(backendName: string, backend: Backend, jobId: string): Promise<boolean> {
    for (;;) {
      const r = await this.ctx.store.getJob(jobId);
      const i = r?.failures?.findIndex((f) => f.fence === 'pending' && f.backend === backendName) ?? -1;
      const run = r?.failures?.[i];
      if (!r || !run?.externalId) return true;
      let lateState: string;
      try {
        const [late] = await backend.poll([run.externalId]);
        lateState = late?.state ?? 'unknown';
        if (late && (late.state === 'queued' || late.state === 'running')) await backend.cancel(run.externalId);
      } catch (e) {
        this.ctx.warn(`cannot fence attempt ${run.attempt} of job ${jobId} on ${backendName} yet`, e);
        return false;
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
      if (!updated) return true;
      this.ctx.live.remember(updated);
    }
  }

  /**
   * Jobs with a run whose fence is pending, by backend: read from the store once (after a start or
   * a change of leader: only the server that schedules cuts runs off), kept current after.
   */
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
    this.fences = fences;
    return fences;
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
    return this.view(SYSTEM).sites.find((s) => s.siteId === siteId) as SiteHealthView;
  }
}
