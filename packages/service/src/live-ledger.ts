import {
  type AllocatedJob,
  type Allocation,
  allocationOf,
  capAllocation,
  type ExportRecord,
  Ledger,
  type Network,
  type Profile,
  prepareNetwork,
} from '@suanli/engine';
import type { AuditEntry } from './audit.ts';
import { GridBook } from './grid-book.ts';
import { ACTIVE_STATES, FINAL_STATES, type JobRecord, toEngineJob } from './job-record.ts';
import type { Clock } from './ports/clock.ts';
import type { Store } from './ports/store.ts';

export interface LiveLedgerOptions {
  /** Seconds between scheduling cycles: cycles fall due on multiples of it. */
  readonly cycleS: number;
  readonly maxParkS?: number;
}

/**
 * The engine's ledger, fed from the store: built from it on start (and when this process becomes
 * the leader), then kept current by tailing the audit log, which records every change of every
 * job whichever process made it. A process applies its own changes to the ledger as it makes them
 * (as the simulator does), so the tail finds them already there: reconciling a job with its stored
 * state changes nothing then. It also keeps the records of the pending and active jobs, so cycles,
 * hand-overs and backend polls never scan the store.
 */
export class LiveLedger {
  private ledgerNow: Ledger | undefined;
  private readonly store: Store;
  private readonly network: () => Network;
  private readonly profile: Profile;
  private readonly clock: Clock;
  private readonly timeScaleOf: (r: JobRecord) => number;
  private readonly options: LiveLedgerOptions;
  private readonly live = new Map<string, JobRecord>();
  private cursor = 0;
  private building: Promise<void> | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private gridNow = new GridBook();

  constructor(deps: {
    store: Store;
    network: () => Network;
    profile: Profile;
    clock: Clock;
    timeScaleOf: (r: JobRecord) => number;
    options: LiveLedgerOptions;
  }) {
    this.store = deps.store;
    this.network = deps.network;
    this.profile = deps.profile;
    this.clock = deps.clock;
    this.timeScaleOf = deps.timeScaleOf;
    this.options = deps.options;
  }

  /** The ledger, current with the store as of the last `catchUp`. */
  get ledger(): Ledger {
    if (!this.ledgerNow) throw new Error('the ledger is read before it was built');
    return this.ledgerNow;
  }

  /**
   * Runs `work` alone: no catch-up or cycle interleaves with it, so the ledger never takes a stale
   * record over a change this process made meanwhile.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Builds the ledger from the store, as after a start or a change of leader. */
  rebuild(): Promise<void> {
    this.building ??= (async () => {
      try {
        const ledger = new Ledger(this.network(), this.profile, this.options);
        const grid = new GridBook();
        // The cursor first: whatever changes after it is applied again by the next catch-up.
        const cursor = await this.store.latestAuditSeq();
        const nowS = this.clock.nowS();
        this.live.clear();
        for (const r of await this.store.listJobs({ states: ['pending', ...ACTIVE_STATES] })) {
          this.live.set(r.id, r);
          if (r.state === 'pending') ledger.enqueue(toEngineJob(r), nowS);
          else if (r.placement) ledger.hold(this.allocationOf(r));
        }
        for (let from = 1; from <= cursor; ) {
          const page = await this.store.listAudit(from, 5000);
          if (page.length === 0) break;
          for (const e of page) {
            if (e.kind === 'data.exported') ledger.exported(exportOf(e));
            else {
              applyHealth(ledger, e);
              grid.apply(e, ledger);
            }
          }
          from = (page[page.length - 1]?.seq ?? from) + 1;
        }
        this.ledgerNow = ledger;
        this.gridNow = grid;
        this.cursor = cursor;
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }

  /** Grid events and contracted windows as the log records them, as of the last catch-up. */
  get grid(): GridBook {
    return this.gridNow;
  }

  /** The ledger if it is built (a network change need not build it). */
  ledgerIfBuilt(): Ledger | undefined {
    return this.ledgerNow;
  }

  /** Builds the ledger if it is not yet; else nothing. */
  async ready(): Promise<void> {
    if (!this.ledgerNow) await this.rebuild();
  }

  /** Applies what the audit log recorded since the last catch-up (built first if it is not yet). */
  async catchUp(): Promise<void> {
    if (!this.ledgerNow) {
      await this.rebuild();
      return;
    }
    for (;;) {
      const page = await this.store.listAudit(this.cursor + 1, 5000);
      if (page.length === 0) return;
      const ids = new Set<string>();
      for (const e of page) {
        if (e.kind.startsWith('job.') && e.kind !== 'job.denied') ids.add(e.subject);
        // A service's replica asked for or stopped is logged under the service: the replica changed.
        else if (e.kind === 'service.scaled' && typeof e.data['replica'] === 'string') ids.add(e.data['replica']);
        else if (e.kind === 'data.exported') this.ledger.exported(exportOf(e));
        else {
          applyHealth(this.ledger, e);
          this.gridNow.apply(e, this.ledger);
        }
      }
      // In the order the log first names them: the queue sees jobs in the order they came.
      const records = new Map((await this.store.getJobs([...ids])).map((r) => [r.id, r]));
      for (const id of ids) {
        const r = records.get(id);
        if (r) this.reconcile(r);
      }
      this.cursor = page[page.length - 1]?.seq ?? this.cursor;
    }
  }

  /**
   * Brings the ledger in line with a job's stored state: queued while pending, holding its pool
   * while placed or running, gone once it ended. Changes nothing when the ledger agrees already.
   */
  reconcile(r: JobRecord): void {
    const ledger = this.ledger;
    const nowS = this.clock.nowS();
    const held = ledger.allocation(r.id);
    const queued = ledger.queuedJob(r.id);
    this.remember(r);
    if (r.state === 'pending') {
      if (held) ledger.release(r.id, nowS);
      const job = toEngineJob(r);
      if (!queued || queued.durationS !== job.durationS || queued.attainedS !== job.attainedS)
        ledger.enqueue(job, nowS);
      return;
    }
    if (FINAL_STATES.includes(r.state)) {
      if (held) ledger.release(r.id, r.endedAtS ?? nowS);
      if (queued) ledger.dequeue(r.id);
      return;
    }
    if (!r.placement) return;
    const a = this.allocationOf(r);
    if (!held || !sameAllocation(held, a)) ledger.hold(a);
  }

  /** A pending job is decided afresh at the next cycle (a serving replica still waiting: anywhere within its SLO). */
  requeue(r: JobRecord): void {
    if (r.state === 'pending') this.ledger.enqueue(toEngineJob(r), this.clock.nowS());
  }

  /** Keeps a job's latest record (pending and active ones; an ended one is let go). */
  remember(r: JobRecord): void {
    if (FINAL_STATES.includes(r.state)) this.live.delete(r.id);
    else this.live.set(r.id, r);
  }

  /** The latest record of a pending or active job. */
  record(id: string): JobRecord | undefined {
    return this.live.get(id);
  }

  /** Pending and active jobs' records. */
  records(): IterableIterator<JobRecord> {
    return this.live.values();
  }

  /**
   * What a placed or running job holds, as the engine sees it: from when it was placed, until its
   * backend will have run it (the estimate ÷ the backend's time scale, from its start).
   */
  allocationOf(r: JobRecord): Allocation {
    const p = r.placement;
    if (!p) throw new Error(`job ${r.id} has no placement`);
    const startS = r.startedAtS ?? p.estimate.startS;
    const { tenant, kind, priority, preemptible, deadlineS } = r.spec;
    const job: AllocatedJob = {
      id: r.id,
      tenant,
      kind,
      priority,
      preemptible,
      submittedAtS: r.submittedAtS,
      ...(deadlineS !== undefined ? { deadlineS } : {}),
      ...(r.attainedS !== undefined ? { attainedS: r.attainedS } : {}),
      ...(r.spec.checkpoint ? { checkpoint: r.spec.checkpoint } : {}),
      ...(r.spec.powerCapW !== undefined ? { powerCapW: r.spec.powerCapW } : {}),
    };
    const a = allocationOf(job, p, r.placedAtS ?? startS, startS + p.estimate.durationS / this.timeScaleOf(r));
    // Under a grid event's cap: less power until it lifts, and a later end.
    const cap = r.gridCap;
    const spec = cap ? prepareNetwork(this.network()).poolById.get(p.poolId)?.spec : undefined;
    return cap && spec ? capAllocation(a, spec, cap.capW, cap.fromS, cap.untilS) : a;
  }
}

function sameAllocation(a: Allocation, b: Allocation): boolean {
  return (
    a.poolId === b.poolId &&
    a.count === b.count &&
    a.startS === b.startS &&
    a.endS === b.endS &&
    a.attainedS === b.attainedS &&
    a.priority === b.priority &&
    a.powerCapW === b.powerCapW &&
    a.gridCapW === b.gridCapW &&
    a.capUntilS === b.capUntilS &&
    a.drawFromS === b.drawFromS
  );
}

function exportOf(e: AuditEntry): ExportRecord {
  const d = e.data as Record<string, unknown>;
  return {
    legalEntity: String(d['legalEntity']),
    year: Number(d['year']),
    datasetChecksum: String(d['datasetChecksum']),
    individuals: Number(d['individuals'] ?? 0),
    sensitiveIndividuals: Number(d['sensitiveIndividuals'] ?? 0),
  };
}

/**
 * A site's or link's health as the audit log recorded it (whichever process saw it): applied to
 * the ledger, once (the ledger ignores what it knows already).
 */
function applyHealth(ledger: Ledger, e: AuditEntry): void {
  const d = e.data as Record<string, unknown>;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  if (e.kind === 'site.unhealthy') {
    const failureClass = d['failureClass'] === 'site-outage' ? 'site-outage' : 'backend-unreachable';
    ledger.siteOut({ siteId: e.subject, sinceS: e.atS, failureClass, reason: str('reason') }, e.atS);
  } else if (e.kind === 'site.healthy') ledger.siteBack(e.subject, e.atS);
  else if (e.kind === 'link.cut')
    ledger.linkCut({ from: str('from'), to: str('to'), sinceS: e.atS, reason: str('reason') }, e.atS);
  else if (e.kind === 'link.restored') ledger.linkBack(str('from'), str('to'), e.atS);
}
