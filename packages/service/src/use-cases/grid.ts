import {
  additionsOf,
  budgetMaxKw,
  type GridAction,
  type GridDelivery,
  type GridPlan,
  type GridRequest,
  GridResponse,
  gridCapThroughput,
  type Ledger,
  levelBudgetKwAt,
  overlappingWindows,
  type PowerLevelKind,
  planGridEvent,
  prepareNetwork,
} from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import type { AppliedAction, GridRecord } from '../grid-book.ts';
import type { JobRecord } from '../job-record.ts';
import { LIMITS } from '../limits.ts';
import type { UseCaseContext } from './context.ts';
import type { Dispatch } from './dispatch.ts';
import { stopRun } from './stop-run.ts';
import { timeScaleOf } from './time-scale.ts';

/** How late a start may be and still count as "now" (the request took a moment to arrive). */
const NOW_SLACK_S = 60;

/** A grid event as asked: a region or a site, a reduction or a ceiling, a window, a deadline to comply. */
export interface GridEventInput {
  /** The grid's own reference (a dispatch order number); generated when absent. */
  readonly id?: string;
  readonly region?: string;
  readonly site?: string;
  readonly reductionKw?: number;
  readonly ceilingKw?: number;
  /** Epoch seconds; absent: now. */
  readonly startS?: number;
  readonly durationS: number;
  /** How long after the start the reduction must be in place (default 15 minutes, at most the window). */
  readonly complyWithinS?: number;
}

/** A grid event as the API shows it: what was asked, the plan, what was carried out, what was delivered. */
export interface GridEventView {
  readonly id: string;
  readonly level: 'region' | 'site';
  readonly target: string;
  readonly startS: number;
  readonly endS: number;
  readonly complyByS: number;
  readonly reductionKw?: number;
  readonly ceilingKw?: number;
  readonly issuedAtS: number;
  readonly issuedBy: string;
  /** `planned` (before its start), `active` (its window is open), `over` (being measured), `reported`. */
  readonly state: 'planned' | 'active' | 'over' | 'reported';
  readonly plan: GridPlan;
  readonly applied?: { readonly atS: number; readonly done: readonly AppliedAction[] };
  readonly delivery?: GridDelivery;
}

/** One level of the budget tree, now and over the coming hours. */
export interface PowerLevelView {
  readonly kind: PowerLevelKind;
  readonly id: string;
  /** The level above it (`site:tianfu` for a pool, `region:sichuan` for a site in one). */
  readonly parent?: string;
  /** What it draws whatever runs: idle accelerators × PUE and base loads. */
  readonly fixedKw: number;
  readonly budgetKw: number;
  readonly loadKw: number;
  /** The most the budget ever gives. */
  readonly maxBudgetKw: number;
  /** The budget at the start of each of the coming hours (grid events' ceilings and contracted windows in). */
  readonly hours: readonly { readonly atS: number; readonly budgetKw: number }[];
}

export interface PowerView {
  readonly atS: number;
  readonly levels: readonly PowerLevelView[];
  /** Grid events not yet reported. */
  readonly events: readonly GridEventView[];
  /** Contracted windows added since the network file. */
  readonly windows: readonly {
    readonly level: PowerLevelKind;
    readonly target: string;
    readonly fromS: number;
    readonly toS: number;
    readonly kw: number;
  }[];
}

export interface PowerWindowInput {
  readonly level: PowerLevelKind;
  readonly target: string;
  readonly fromS: number;
  readonly toS: number;
  readonly kw: number;
}

/**
 * Compute and power together (docs/design/power.md): the budget tree as it stands, grid events
 * from request to report, and contracted windows. Any server takes a request: it plans on its
 * ledger, answers at once with the plan, and records it (`grid.event`); every server's ledger
 * keeps the event's ceiling from the log. The server that schedules carries the plan out when it
 * falls due (stops as preemptions, caps through the backends; `grid.applied`), measures the load
 * over the window against the plan's baseline, and records the delivery (`grid.delivered`).
 */
export class Grid {
  private readonly ctx: UseCaseContext;
  private readonly dispatch: Dispatch;
  private response = new GridResponse();
  /** The ledger the response was built on: a rebuilt ledger (a new leader) starts a new one. */
  private ledgerSeen: Ledger | undefined;

  constructor(ctx: UseCaseContext, dispatch: Dispatch) {
    this.ctx = ctx;
    this.dispatch = dispatch;
  }

  /** The budget tree now and over the next `hours`, the open events, the windows added. */
  async view(actor: Principal, hours = 24): Promise<PowerView> {
    authorize(actor, 'power.read');
    const live = this.ctx.live;
    return live.exclusive(async () => {
      await live.catchUp();
      const nowS = this.ctx.clock.nowS();
      const ledger = live.ledger;
      const net = prepareNetwork(ledger.network);
      const additions = additionsOf(ledger.power);
      const hourS = Math.floor(nowS / 3600) * 3600;
      const levels = net.levels.map((level): PowerLevelView => {
        const added = additions.get(`${level.kind}:${level.id}`);
        const pool = level.kind === 'pool' ? net.poolById.get(level.id) : undefined;
        const site = level.kind === 'site' ? net.siteById.get(level.id) : undefined;
        const above = pool ? pool.levels[1] : site ? site.levels[1] : undefined;
        return {
          kind: level.kind,
          id: level.id,
          ...(above ? { parent: `${above.kind}:${above.id}` } : {}),
          fixedKw: round1(level.fixedKw),
          budgetKw: round1(levelBudgetKwAt(level, added, nowS)),
          loadKw: round1(ledger.levelLoadKw(level.kind, level.id, nowS)),
          maxBudgetKw: round1(budgetMaxKw(level.budget)),
          hours: Array.from({ length: hours }, (_, h) => {
            const atS = hourS + h * 3600;
            return { atS, budgetKw: round1(levelBudgetKwAt(level, added, Math.max(atS, nowS))) };
          }),
        };
      });
      const book = live.grid;
      return {
        atS: nowS,
        levels,
        events: book
          .list()
          .filter((r) => !r.delivery)
          .map((r) => seenBy(viewOf(r, nowS), actor)),
        windows: book.scheduled.filter((w) => w.toS > nowS),
      };
    });
  }

  /**
   * A grid event: checked (nothing is stored when anything is wrong), planned on what runs now,
   * recorded, and answered with its plan: which jobs it caps, pauses, stops or moves, what that
   * costs, and whether the reduction can be met (if not, by how much it falls short).
   */
  async issue(input: GridEventInput, actor: Principal): Promise<GridEventView> {
    authorize(actor, 'grid.events');
    const live = this.ctx.live;
    return live.exclusive(async () => {
      await live.catchUp();
      const nowS = this.ctx.clock.nowS();
      const request = this.requestOf(input, nowS);
      const ledger = live.ledger;
      const plan = planGridEvent(ledger.network, ledger.allocations, request, nowS, this.ctx.profile.shedOrder);
      const entry = await this.ctx.store.appendAudit({
        atS: nowS,
        kind: 'grid.event',
        subject: request.id,
        data: { by: actor.name, plan: plan as unknown as Record<string, unknown> },
      });
      live.grid.apply(entry, ledger);
      const r = live.grid.get(request.id);
      if (!r) throw new Error(`grid event ${request.id} was recorded but not read back`);
      return viewOf(r, nowS);
    });
  }

  /** Every grid event, newest first. */
  async list(actor: Principal): Promise<GridEventView[]> {
    authorize(actor, 'power.read');
    const live = this.ctx.live;
    return live.exclusive(async () => {
      await live.catchUp();
      const nowS = this.ctx.clock.nowS();
      return live.grid.list().map((r) => seenBy(viewOf(r, nowS), actor));
    });
  }

  /** One grid event with its plan and, once its window is over, its delivery. */
  async get(id: string, actor: Principal): Promise<GridEventView> {
    authorize(actor, 'power.read');
    const live = this.ctx.live;
    return live.exclusive(async () => {
      await live.catchUp();
      const r = live.grid.get(id);
      if (!r) throw new SuanliError('GRID_EVENT_NOT_FOUND', `no grid event ${id}`);
      return seenBy(viewOf(r, this.ctx.clock.nowS()), actor);
    });
  }

  /**
   * A contracted window on a level's budget (a new supply contract, a planned curtailment):
   * audited, and in force in every server's ledger from the log. One that overlaps a window the
   * level has already is a conflict; nothing is stored.
   */
  async addWindow(input: PowerWindowInput, actor: Principal): Promise<PowerView['windows'][number]> {
    authorize(actor, 'power.write');
    const live = this.ctx.live;
    return live.exclusive(async () => {
      await live.catchUp();
      const nowS = this.ctx.clock.nowS();
      const net = prepareNetwork(live.ledger.network);
      const level = net.levelByKey.get(`${input.level}:${input.target}`);
      if (!level) {
        throw new SuanliError(
          input.level === 'site' ? 'UNKNOWN_SITE' : 'UNKNOWN_REGION',
          `no ${input.level} ${input.target} with a power budget`,
          { field: input.level },
        );
      }
      if (input.toS <= input.fromS) throw new SuanliError('INVALID_FIELD', 'must be after fromS', { field: 'toS' });
      if (input.fromS < nowS - NOW_SLACK_S)
        throw new SuanliError('INVALID_FIELD', 'is in the past', { field: 'fromS' });
      const existing = [
        ...(level.budget.schedule ?? []),
        ...live.grid.scheduled.filter((w) => w.level === input.level && w.target === input.target),
      ];
      const clash = overlappingWindows([...existing, input]);
      if (clash) {
        const other = existing[clash[0] === existing.length ? clash[1] : clash[0]];
        throw new SuanliError(
          'POWER_SCHEDULE_CONFLICT',
          `overlaps the window ${other ? `${iso(other.fromS)}–${iso(other.toS)}` : 'already there'} of ${input.level} ${input.target}`,
          { field: 'fromS' },
        );
      }
      const window = { level: input.level, target: input.target, fromS: input.fromS, toS: input.toS, kw: input.kw };
      const entry = await this.ctx.store.appendAudit({
        atS: nowS,
        kind: 'power.scheduled',
        subject: `${input.level}:${input.target}`,
        data: { ...window, by: actor.name },
      });
      live.grid.apply(entry, live.ledger);
      return window;
    });
  }

  /**
   * On the server that schedules, each tick: takes up the events it has not seen (issued
   * elsewhere, or before a restart), carries out the plans that fall due, samples the load of the
   * open windows, and records the deliveries of the windows that are over.
   */
  async tick(nowS: number): Promise<void> {
    const live = this.ctx.live;
    const ledger = live.ledger;
    if (this.ledgerSeen !== ledger) {
      this.response = new GridResponse(this.ctx.profile.shedOrder);
      this.ledgerSeen = ledger;
    }
    for (const r of live.grid.list()) {
      if (r.delivery || this.response.plan(r.id)) continue;
      this.response.adopt(ledger, r.plan, nowS, r.applied?.atS);
    }
    // Plans that fall due, then windows that still draw over their ceilings (a run overran its estimate).
    await this.record(this.response.due(nowS), false, nowS);
    await this.record(this.response.enforce(ledger, nowS), true, nowS);
    this.response.sample(ledger, nowS);
    for (const d of this.response.finish(ledger, nowS)) {
      const entry = await this.ctx.store.appendAudit({
        atS: nowS,
        kind: 'grid.delivered',
        subject: d.eventId,
        data: { ...d },
      });
      live.grid.apply(entry, ledger);
      this.ctx.warn(
        `grid event ${d.eventId}: ${Math.round(d.deliveredKwh)} of ${Math.round(d.askedKwh)} kWh asked delivered (${Math.round(d.deliveredPct)} %)`,
      );
    }
  }

  /** Carries out plans' actions and records what was done (`grid.applied`). */
  private async record(
    batch: readonly { readonly plan: GridPlan; readonly actions: readonly GridAction[] }[],
    enforced: boolean,
    nowS: number,
  ): Promise<void> {
    const live = this.ctx.live;
    for (const { plan, actions } of batch) {
      const done: AppliedAction[] = [];
      for (const a of actions) done.push(await this.carryOut(plan, a, nowS));
      const entry = await this.ctx.store.appendAudit({
        atS: nowS,
        kind: 'grid.applied',
        subject: plan.event.id,
        data: { done: done as unknown as Record<string, unknown>[], ...(enforced ? { enforced } : {}) },
      });
      live.grid.apply(entry, live.ledger);
    }
  }

  /** One action of a plan: a stop (the job goes back to the queue) or a cap through its backend. */
  private async carryOut(plan: GridPlan, a: GridAction, nowS: number): Promise<AppliedAction> {
    const live = this.ctx.live;
    const r = live.record(a.jobId);
    const base = { jobId: a.jobId, action: a.action, ...(a.capW !== undefined ? { capW: a.capW } : {}) };
    if (!r || (r.state !== 'running' && r.state !== 'scheduled') || !r.placement) {
      return { ...base, outcome: 'not running any more' };
    }
    // Stopped and placed again elsewhere since the plan: acting on it there takes nothing off this level.
    if (r.placement.poolId !== a.poolId) return { ...base, outcome: `moved to ${r.placement.poolId} since` };
    const backend = r.backend ? this.ctx.backends.get(r.backend) : undefined;
    let refused = '';
    if (a.action === 'cap' && r.externalId && backend?.powerCap && plan.event.endS > nowS) {
      const spec = prepareNetwork(live.ledger.network).poolById.get(r.placement.poolId)?.spec;
      const capW = a.capW ?? 0;
      const throughput = spec ? gridCapThroughput(spec, r.spec.kind, capW, r.spec.powerCapW) : 1;
      try {
        await backend.powerCap(r.externalId, { capW, untilS: plan.event.endS, throughput });
        const capped = await this.ctx.store.transitionJob(
          r.id,
          ['running', 'scheduled'],
          {
            gridCap: { eventId: plan.event.id, capW, fromS: nowS, untilS: plan.event.endS },
            message: `capped at ${capW} W per accelerator until ${iso(plan.event.endS)} (grid event ${plan.event.id})`,
            updatedAtS: nowS,
          },
          {
            atS: nowS,
            kind: 'job.capped',
            subject: r.id,
            data: { eventId: plan.event.id, capW, untilS: plan.event.endS, timeScale: timeScaleOf(this.ctx, r) },
          },
        );
        if (!capped) return { ...base, outcome: 'not running any more' };
        live.remember(capped);
        live.ledger.hold(live.allocationOf(capped));
        return { ...base, outcome: 'done' };
      } catch (e) {
        refused = e instanceof Error ? e.message : String(e);
      }
    }
    // A stop: scale-in, preempt or pause; a cap the backend cannot apply (or refused) becomes a pause.
    const why = refused ? `its backend refused the cap: ${refused}` : 'its backend cannot cap power';
    const reason = `grid event ${plan.event.id}: ${a.action === 'cap' ? `paused (${why})` : a.action}`;
    let stopped: JobRecord | undefined;
    try {
      stopped = await stopRun(
        this.ctx,
        this.dispatch,
        { jobId: a.jobId, poolId: r.placement.poolId, count: r.placement.count, reason },
        `grid event ${plan.event.id}`,
        nowS,
      );
    } catch (e) {
      // Its backend did not stop it: recorded; the window's enforcement asks again.
      return { ...base, outcome: `not stopped: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (!stopped) return { ...base, outcome: 'not running any more' };
    // Back in the queue: held back by the event's ceiling, or placed elsewhere by the next cycle.
    live.reconcile(stopped);
    return { ...base, outcome: a.action === 'cap' ? `paused: ${why}` : 'done' };
  }

  /** The request of a grid event input, or the first thing wrong with it. */
  private requestOf(input: GridEventInput, nowS: number): GridRequest {
    const net = prepareNetwork(this.ctx.live.ledger.network);
    if ((input.region === undefined) === (input.site === undefined)) {
      throw new SuanliError('INVALID_FIELD', 'name a region or a site, one of them', { field: 'region' });
    }
    const level = input.region !== undefined ? 'region' : 'site';
    const target = (input.region ?? input.site) as string;
    if (!net.levelByKey.has(`${level}:${target}`)) {
      const known = net.levels.filter((l) => l.kind === level).map((l) => l.id);
      throw new SuanliError(
        level === 'region' ? 'UNKNOWN_REGION' : 'UNKNOWN_SITE',
        `unknown ${level} ${target} (known: ${known.join(', ') || 'none'})`,
        { field: level },
      );
    }
    if ((input.reductionKw === undefined) === (input.ceilingKw === undefined)) {
      throw new SuanliError('INVALID_FIELD', 'give reductionKw or ceilingKw, one of them', { field: 'reductionKw' });
    }
    const startS = input.startS ?? nowS;
    if (startS < nowS - NOW_SLACK_S) throw new SuanliError('INVALID_FIELD', 'is in the past', { field: 'startS' });
    if (startS > nowS + LIMITS.gridNoticeS) {
      throw new SuanliError('INVALID_FIELD', `must be within ${LIMITS.gridNoticeS / 86_400} days of now`, {
        field: 'startS',
      });
    }
    if (input.complyWithinS !== undefined && input.complyWithinS > input.durationS) {
      throw new SuanliError('INVALID_FIELD', 'is longer than the window (durationS)', { field: 'complyWithinS' });
    }
    if (input.id !== undefined && this.ctx.live.grid.get(input.id)) {
      throw new SuanliError('GRID_EVENT_EXISTS', `grid event ${input.id} exists already`, { field: 'id' });
    }
    const from = Math.max(startS, nowS);
    const complyWithinS = Math.min(input.complyWithinS ?? 900, input.durationS);
    return {
      id: input.id ?? `ge-${this.ctx.newId().replace(/^j-/, '')}`,
      level,
      target,
      startS: from,
      endS: from + input.durationS,
      complyByS: from + complyWithinS,
      ...(input.reductionKw !== undefined ? { reductionKw: input.reductionKw } : {}),
      ...(input.ceilingKw !== undefined ? { ceilingKw: input.ceilingKw } : {}),
    };
  }
}

function viewOf(r: GridRecord, nowS: number): GridEventView {
  const e = r.plan.event;
  const state = r.delivery ? 'reported' : nowS < e.startS ? 'planned' : nowS < e.endS ? 'active' : 'over';
  return {
    id: r.id,
    level: e.level,
    target: e.target,
    startS: e.startS,
    endS: e.endS,
    complyByS: e.complyByS,
    ...(e.reductionKw !== undefined ? { reductionKw: e.reductionKw } : {}),
    ...(e.ceilingKw !== undefined ? { ceilingKw: e.ceilingKw } : {}),
    issuedAtS: r.issuedAtS,
    issuedBy: r.issuedBy,
    state,
    plan: r.plan,
    ...(r.applied ? { applied: r.applied } : {}),
    ...(r.delivery ? { delivery: r.delivery } : {}),
  };
}

/**
 * An event as a caller may see it: a tenant's token sees the plan's actions on its own jobs only
 * (the totals stay: what the event cost the network is no tenant's secret).
 */
function seenBy(v: GridEventView, actor: Principal): GridEventView {
  if (actor.role !== 'tenant-admin' && actor.role !== 'tenant-member') return v;
  const actions = v.plan.actions.filter((a) => a.tenant === actor.tenant);
  const own = new Set(actions.map((a) => a.jobId));
  return {
    ...v,
    plan: { ...v.plan, actions },
    ...(v.applied ? { applied: { ...v.applied, done: v.applied.done.filter((d) => own.has(d.jobId)) } } : {}),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function iso(s: number): string {
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}
