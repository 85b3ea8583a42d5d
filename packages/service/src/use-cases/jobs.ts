import {
  Cycle,
  type Decision,
  decide,
  type Explanation,
  headroom,
  queueOf,
  quote,
  type SiteVerdict,
} from '@suanli/engine';
import { allowed, authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import { FINAL_STATES, type JobRecord, type JobState, toEngineJob } from '../job-record.ts';
import { type KueueOptions, kueueJobManifest } from '../kueue.ts';
import type { JobFilter } from '../ports/store.ts';
import type { UseCaseContext } from './context.ts';
import type { Governance } from './governance.ts';
import type { Market } from './market.ts';
import { readSpec, type SpecInput } from './spec-input.ts';

export interface Quote {
  readonly atS: number;
  readonly summary: string;
  /** Feasible sites, best first. */
  readonly options: readonly Extract<SiteVerdict, { outcome: 'scored' }>[];
  /** Sites that cannot run the job, with the plug-in and reason. */
  readonly rejected: readonly Extract<SiteVerdict, { outcome: 'filtered' }>[];
}

/** "Why is my job pending?": what the engine decides for it now, and the quota that holds it. */
export interface WhyPending {
  readonly jobId: string;
  readonly state: JobState;
  /** What a cycle run now decides: place, reserve (a planned start), or wait. */
  readonly decision: Decision['kind'] | 'not-pending';
  readonly summary: string;
  readonly reason: string;
  readonly expectedStartS?: number;
  /** How many pending jobs the queue order puts before it. */
  readonly ahead: number;
  readonly quota?: {
    readonly clusterQueue: string;
    readonly cohort?: string;
    readonly flavours: readonly {
      readonly flavour: string;
      readonly nominal: number;
      readonly used: number;
      readonly available: number;
      readonly needs: number;
    }[];
  };
  readonly notes: readonly string[];
  readonly verdicts: readonly SiteVerdict[];
}

/** Jobs as tenants see them: submit, quote, read, list, cancel, and why one waits. */
export class Jobs {
  private readonly ctx: UseCaseContext;
  private readonly governance: Governance;
  private readonly market: Market;

  constructor(ctx: UseCaseContext, governance: Governance, market: Market) {
    this.ctx = ctx;
    this.governance = governance;
    this.market = market;
  }

  /** Validates and stores a job; it is durable (with its audit entry) when this returns. */
  async submit(input: SpecInput, actor: Principal): Promise<JobRecord> {
    authorize(actor, 'jobs.submit');
    const nowS = this.ctx.clock.nowS();
    const read = readSpec(input, this.ctx.network(), nowS);
    authorize(actor, 'jobs.submit', read.tenant);
    const spec = await this.market.resolve(read, nowS);
    await this.ctx.access.checkOwnership(spec);
    await this.governance.admitOrThrow(spec, nowS);
    // A service is not placed itself: it runs from now, and its replicas are jobs of their own.
    const job: JobRecord = spec.service
      ? { id: this.ctx.newId(), state: 'running', spec, submittedAtS: nowS, startedAtS: nowS, updatedAtS: nowS }
      : { id: this.ctx.newId(), state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS };
    await this.ctx.store.insertJob(job, {
      atS: nowS,
      kind: 'job.submitted',
      subject: job.id,
      data: {
        name: spec.name,
        kind: spec.kind,
        tenant: spec.tenant,
        accelerators: spec.options.map((o) => `${o.accelerator}:${o.perMember}`),
        gang: spec.gang,
        durationS: spec.durationS,
      },
    });
    return job;
  }

  /** A dry run: every site ranked or rejected, after the queued jobs; nothing is stored. */
  async quote(input: SpecInput, actor: Principal): Promise<Quote> {
    authorize(actor, 'jobs.quote');
    const nowS = this.ctx.clock.nowS();
    const read = readSpec(input, this.ctx.network(), nowS);
    authorize(actor, 'jobs.quote', read.tenant);
    const spec = await this.market.resolve(read, nowS);
    await this.ctx.access.checkOwnership(spec);
    const snapshot = await this.current();
    const job = toEngineJob({ id: 'quote', state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS });
    return toQuote(quote(snapshot, job, nowS, { profile: this.ctx.profile }));
  }

  async getJob(id: string, actor: Principal): Promise<JobRecord> {
    authorize(actor, 'jobs.read');
    const job = await this.ctx.store.getJob(id);
    // Another tenant's job is as good as missing: its id says nothing about it.
    if (!job || !allowed(actor, 'jobs.read', job.spec.tenant)) throw new SuanliError('JOB_NOT_FOUND', `no job ${id}`);
    return job;
  }

  /** Jobs, newest first; tenant roles see their own tenant's only. */
  listJobs(filter: JobFilter, actor: Principal): Promise<JobRecord[]> {
    authorize(actor, 'jobs.read');
    if (actor.tenant !== undefined && (actor.role === 'tenant-admin' || actor.role === 'tenant-member')) {
      if (filter.tenant !== undefined && filter.tenant !== actor.tenant) authorize(actor, 'jobs.read', filter.tenant);
      return this.ctx.store.listJobs({ ...filter, tenant: actor.tenant });
    }
    return this.ctx.store.listJobs(filter);
  }

  /** A Kueue-ready Kubernetes Job for a placed job (docs/design/backends.md). */
  async kueueManifest(id: string, options: KueueOptions, actor: Principal): Promise<Record<string, unknown>> {
    return kueueJobManifest(await this.getJob(id, actor), this.ctx.network(), options);
  }

  /** Cancels a job that has not finished; on its backend first if it was handed over. */
  async cancel(id: string, actor: Principal): Promise<JobRecord> {
    authorize(actor, 'jobs.cancel');
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await this.getJob(id, actor);
      authorize(actor, 'jobs.cancel', job.spec.tenant);
      if (FINAL_STATES.includes(job.state)) {
        throw new SuanliError('JOB_NOT_CANCELLABLE', `job ${id} is already ${job.state}`);
      }
      if (job.externalId && job.backend) {
        const backend = this.ctx.backends.get(job.backend);
        if (!backend) throw new SuanliError('INTERNAL', `backend ${job.backend} is not configured`);
        await backend.cancel(job.externalId);
      }
      const nowS = this.ctx.clock.nowS();
      const done = await this.ctx.store.transitionJob(
        id,
        [job.state],
        { state: 'cancelled', endedAtS: nowS, updatedAtS: nowS, message: 'cancelled by request' },
        { atS: nowS, kind: 'job.cancelled', subject: id, data: { from: job.state } },
      );
      if (done) return done;
    }
    throw new SuanliError('INTERNAL', `job ${id} kept changing state while being cancelled`);
  }

  /** What the engine would decide for a pending job now, and the quota that holds it. */
  async why(id: string, actor: Principal): Promise<WhyPending> {
    let job = await this.getJob(id, actor);
    if (job.state !== 'pending') return notPending(job);
    const nowS = this.ctx.clock.nowS();
    let snapshot = await this.current();
    let index = -1;
    let decisions: readonly Decision[] = [];
    // The store and the ledger are read one after the other: a cycle elsewhere may change the job in
    // between. Read again then; if they still disagree, decide the job on its own against the network now.
    for (let tries = 0; tries < 3 && index < 0; tries++) {
      if (tries > 0) {
        job = await this.getJob(id, actor);
        if (job.state !== 'pending') return notPending(job);
        snapshot = await this.current();
      }
      // A job the ledger has not seen yet (submitted on another server a moment ago) is decided with the queue.
      const queue =
        tries === 2
          ? [toEngineJob(job)]
          : snapshot.queue.some((j) => j.id === id)
            ? snapshot.queue
            : [...snapshot.queue, toEngineJob(job)];
      decisions = decide({ ...snapshot, queue }, nowS, { profile: this.ctx.profile }).decisions;
      index = decisions.findIndex((d) => d.jobId === id);
    }
    const d = decisions[index];
    if (!d) throw new SuanliError('INTERNAL', `job ${id} is pending but was not decided`);
    const cycle = new Cycle(snapshot, nowS);
    const cq = queueOf(cycle, job.spec.tenant);
    const quota = cq
      ? {
          clusterQueue: cq.name,
          ...(cq.cohort !== undefined ? { cohort: cq.cohort } : {}),
          flavours: job.spec.options.map((o) => {
            const h = headroom(cycle, cq, o.accelerator);
            return {
              flavour: o.accelerator,
              nominal: h.nominal,
              used: h.used,
              available: h.available,
              needs: o.perMember * job.spec.gang,
            };
          }),
        }
      : undefined;
    return {
      jobId: id,
      state: job.state,
      decision: d.kind,
      summary: d.explanation.summary,
      reason: d.kind === 'place' ? 'it would be placed in the next cycle' : d.reason,
      ...(d.kind === 'wait' && d.expectedStartS !== undefined ? { expectedStartS: d.expectedStartS } : {}),
      ...(d.kind === 'reserve' ? { expectedStartS: d.placement.estimate.startS } : {}),
      ahead: index,
      ...(quota ? { quota } : {}),
      notes: d.explanation.notes,
      verdicts: d.explanation.verdicts,
    };
  }

  /** The network's state now: the ledger, caught up with the store. */
  private async current() {
    const live = this.ctx.live;
    await live.exclusive(() => live.catchUp());
    return live.ledger.peek();
  }
}

function notPending(job: JobRecord): WhyPending {
  return {
    jobId: job.id,
    state: job.state,
    decision: 'not-pending',
    summary: job.explanation?.summary ?? `the job is ${job.state}`,
    reason: job.message ?? `the job is ${job.state}`,
    ahead: 0,
    notes: job.explanation?.notes ?? [],
    verdicts: job.explanation?.verdicts ?? [],
  };
}

function toQuote(e: Explanation): Quote {
  const options: Extract<SiteVerdict, { outcome: 'scored' }>[] = [];
  const rejected: Extract<SiteVerdict, { outcome: 'filtered' }>[] = [];
  for (const v of e.verdicts) {
    if (v.outcome === 'scored') options.push(v);
    else rejected.push(v);
  }
  return { atS: e.atS, summary: e.summary, options, rejected };
}
