import { SuanliError } from '../errors.ts';
import { ACTIVE_STATES, type JobRecord } from '../job-record.ts';
import type { Backend, BackendStatus } from '../ports/backend.ts';
import type { UseCaseContext } from './context.ts';
import { recordFailure } from './recovery.ts';
import type { SiteHealth } from './site-health.ts';
import { timeScaleOf } from './time-scale.ts';

/** Hand-overs to backends in flight at once. */
const DISPATCH_CONCURRENCY = 8;

/**
 * Backends: placed jobs are handed over, and what the backends report is recorded. The jobs come
 * from the ledger's records (no store scan); each change is written with its audit entry and
 * applied to the ledger as it is made.
 */
export class Dispatch {
  private readonly ctx: UseCaseContext;
  private readonly health: SiteHealth;

  constructor(ctx: UseCaseContext, health: SiteHealth) {
    this.ctx = ctx;
    this.health = health;
  }

  /** This process now schedules: what it knew of backends' silence and of runs to fence is read anew. */
  leadershipGained(): void {
    this.health.forget();
  }

  /** Hands scheduled jobs that no backend has yet to their backends. Safe to repeat. */
  async dispatch(): Promise<number> {
    const todo = [...this.ctx.live.records()].filter(
      (j) => j.state === 'scheduled' && !j.externalId && j.placement && j.backend,
    );
    let n = 0;
    // A few hand-overs at once: a cluster manager answers each in milliseconds, not microseconds.
    const workers = Array.from({ length: Math.min(DISPATCH_CONCURRENCY, todo.length) }, async () => {
      for (let job = todo.shift(); job; job = todo.shift()) if (await this.dispatchOne(job)) n++;
    });
    await Promise.all(workers);
    return n;
  }

  private async dispatchOne(job: JobRecord): Promise<boolean> {
    const placement = job.placement;
    const backend = job.backend;
    if (!placement || !backend) return false;
    let externalId: string;
    try {
      ({ externalId } = await this.backend(backend).submit({
        jobId: job.id,
        attempt: job.attempt ?? 1,
        name: job.spec.name,
        tenant: job.spec.tenant,
        siteId: placement.siteId,
        poolId: placement.poolId,
        accelerator: placement.accelerator,
        count: placement.count,
        ...(placement.nodes && placement.nodes.length > 0 ? { perNode: placement.nodes.map((n) => n.count) } : {}),
        durationS: placement.estimate.durationS,
        stageS: placement.estimate.transferS,
      }));
    } catch (e) {
      // A refusal is not silence: whether the backend answers is learnt from its polls and pings.
      this.ctx.warn(`backend ${backend} refused job ${job.id}; will retry`, e);
      // The job stays placed and waits for its backend; its status says why.
      const message = `waiting for backend ${backend}: ${e instanceof Error ? e.message : String(e)}`;
      if (job.message !== message) {
        const updated = await this.ctx.store.transitionJob(job.id, ['scheduled'], {
          message,
          updatedAtS: this.ctx.clock.nowS(),
        });
        if (updated) this.ctx.live.remember(updated);
      }
      return false;
    }
    const nowS = this.ctx.clock.nowS();
    const done = await this.ctx.store.transitionJob(
      job.id,
      ['scheduled'],
      { externalId, updatedAtS: nowS },
      { atS: nowS, kind: 'job.dispatched', subject: job.id, data: { backend, externalId } },
    );
    if (done) this.ctx.live.remember(done);
    return !!done;
  }

  /** Asks each backend about the jobs it runs and records what changed. */
  async syncBackends(): Promise<number> {
    const byBackend = new Map<string, JobRecord[]>();
    for (const j of this.ctx.live.records()) {
      if (!ACTIVE_STATES.includes(j.state) || !j.backend || !j.externalId) continue;
      const list = byBackend.get(j.backend);
      if (list) list.push(j);
      else byBackend.set(j.backend, [j]);
    }
    let changed = 0;
    // Backends that run none of the jobs are asked whether they answer (site health).
    for (const [name, backend] of this.ctx.backends) {
      if (byBackend.has(name) || !backend.ping) continue;
      try {
        await backend.ping();
      } catch (e) {
        await this.health.observe(name, false, e);
        continue;
      }
      await this.health.observe(name, true);
    }
    for (const [name, jobs] of byBackend) {
      let statuses: readonly BackendStatus[];
      try {
        statuses = await this.backend(name).poll(jobs.map((j) => j.externalId ?? ''));
      } catch (e) {
        this.ctx.warn(`backend ${name} did not answer; will retry`, e);
        await this.health.observe(name, false, e);
        continue;
      }
      await this.health.observe(name, true);
      const byExternal = new Map(jobs.map((j) => [j.externalId, j]));
      // Written together (they share commits), then taken by the ledger in the order polled.
      const written = await Promise.all(
        statuses.map((st) => {
          // Matched to the attempt handed over (its external id), as the record holds it now: a
          // job whose site went out meanwhile is no longer this backend's, and the report is not applied.
          const job = byExternal.get(st.externalId);
          const now = job ? this.ctx.live.record(job.id) : undefined;
          return now && now.externalId === st.externalId && now.backend === name
            ? this.record(now, st)
            : Promise.resolve(undefined);
        }),
      );
      // Endings in the order they happened (as the simulator's events): which parked jobs the freed
      // accelerators wake depends on it.
      const inOrder = written
        .filter((r): r is JobRecord => r !== undefined)
        .sort((a, b) => (a.endedAtS ?? Number.NEGATIVE_INFINITY) - (b.endedAtS ?? Number.NEGATIVE_INFINITY));
      for (const r of inOrder) {
        // A job that ended frees its accelerators: parked jobs that could use them come back, and a cycle falls due.
        this.ctx.live.reconcile(r);
        changed++;
      }
    }
    // Runs at sites out of service (a silent backend's, or one an operator took out) fail over.
    changed += await this.health.failCutOff();
    return changed;
  }

  /** Records what a backend says of a job: it started, or ended (how, when); undefined when nothing changed. */
  private async record(job: JobRecord, s: BackendStatus): Promise<JobRecord | undefined> {
    const nowS = this.ctx.clock.nowS();
    if (s.state === 'queued') return undefined;
    if (s.state === 'running') {
      if (job.state !== 'scheduled') return undefined;
      const startedAtS = s.startedAtS ?? nowS;
      return this.ctx.store.transitionJob(
        job.id,
        ['scheduled'],
        { state: 'running', startedAtS, updatedAtS: nowS },
        { atS: nowS, kind: 'job.running', subject: job.id, data: { startedAtS } },
      );
    }
    if (s.state === 'failed') return recordFailure(this.ctx, job, s, nowS, timeScaleOf(this.ctx, job));
    const endedAtS = s.endedAtS ?? nowS;
    return this.ctx.store.transitionJob(
      job.id,
      ACTIVE_STATES,
      {
        state: s.state,
        startedAtS: job.startedAtS ?? s.startedAtS ?? endedAtS,
        endedAtS,
        ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
        ...(s.message !== undefined ? { message: s.message } : {}),
        updatedAtS: nowS,
      },
      {
        atS: nowS,
        kind: `job.${s.state}`,
        subject: job.id,
        data: {
          // Metering reads the start from here when the run ended before a poll saw it running.
          ...(job.startedAtS === undefined ? { startedAtS: s.startedAtS ?? endedAtS } : {}),
          endedAtS,
          ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
        },
      },
    );
  }

  backend(name: string): Backend {
    const b = this.ctx.backends.get(name);
    if (!b) throw new SuanliError('INTERNAL', `backend ${name} is not configured`);
    return b;
  }
}
