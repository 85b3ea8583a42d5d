import type { GridDelivery, GridPlan, Ledger, PowerLevelKind, PowerScheduleEntry } from '@suanli/engine';
import type { AuditEntry } from './audit.ts';

/** What the audit log says of one grid event: who asked, the plan, what was carried out, what was delivered. */
export interface GridRecord {
  readonly id: string;
  readonly issuedAtS: number;
  readonly issuedBy: string;
  readonly plan: GridPlan;
  applied?: { readonly atS: number; readonly done: readonly AppliedAction[] };
  delivery?: GridDelivery;
}

/** One action of a plan as it was carried out (or why not). */
export interface AppliedAction {
  readonly jobId: string;
  readonly action: string;
  readonly capW?: number;
  /** `done`, or why it was not: the job ended meanwhile, the backend refused. */
  readonly outcome: string;
}

/** Audit kinds of power and grid events. */
export const GRID_KINDS = ['grid.event', 'grid.applied', 'grid.delivered', 'power.scheduled'] as const;

/**
 * Grid events and contracted windows as the audit log records them, folded in order: every
 * server keeps one (its ledger is fed from the same entries), so any server answers for any
 * event, and the one that schedules carries out and measures them. Entries another version wrote
 * in a shape this one cannot read are skipped.
 */
export class GridBook {
  private readonly records = new Map<string, GridRecord>();
  private readonly windows: PowerScheduleEntry[] = [];
  /** The entries folded already: a server applies its own at once, and meets them again as it tails the log. */
  private readonly seen = new Set<number>();

  /** Applies one audit entry (any kind: only grid and power entries count, each once), and tells the ledger. */
  apply(e: AuditEntry, ledger: Ledger): void {
    if (!(GRID_KINDS as readonly string[]).includes(e.kind) || this.seen.has(e.seq)) return;
    this.seen.add(e.seq);
    const d = e.data as Record<string, unknown>;
    if (e.kind === 'grid.event') {
      const plan = d['plan'] as GridPlan | undefined;
      if (!plan?.event || this.records.has(e.subject)) return;
      this.records.set(e.subject, { id: e.subject, issuedAtS: e.atS, issuedBy: String(d['by'] ?? ''), plan });
      ledger.gridEvent(plan.event, e.atS);
    } else if (e.kind === 'grid.applied') {
      // The plan carried out, then what kept the window under its ceiling (appended).
      const r = this.records.get(e.subject);
      const done = (d['done'] as AppliedAction[] | undefined) ?? [];
      if (r) r.applied = r.applied ? { atS: r.applied.atS, done: [...r.applied.done, ...done] } : { atS: e.atS, done };
    } else if (e.kind === 'grid.delivered') {
      const r = this.records.get(e.subject);
      if (r) r.delivery = d as unknown as GridDelivery;
    } else if (e.kind === 'power.scheduled') {
      const w = windowOf(d);
      if (!w) return;
      this.windows.push(w);
      ledger.powerScheduled(w, e.atS);
    }
  }

  /** Every event, newest first. */
  list(): GridRecord[] {
    return [...this.records.values()].sort((a, b) => b.issuedAtS - a.issuedAtS || (a.id < b.id ? 1 : -1));
  }

  get(id: string): GridRecord | undefined {
    return this.records.get(id);
  }

  /** Windows contracted since the network file, oldest first. */
  get scheduled(): readonly PowerScheduleEntry[] {
    return this.windows;
  }
}

function windowOf(d: Record<string, unknown>): PowerScheduleEntry | undefined {
  const level = d['level'];
  if (level !== 'region' && level !== 'site' && level !== 'pool') return undefined;
  const fromS = Number(d['fromS']);
  const toS = Number(d['toS']);
  const kw = Number(d['kw']);
  if (![fromS, toS, kw].every(Number.isFinite)) return undefined;
  return { level: level as PowerLevelKind, target: String(d['target']), fromS, toS, kw };
}
