import { type AuditEntry, type AuditVerification, verifyAuditChain } from '../audit.ts';
import type { AuditLog } from '../audit-log.ts';
import { authorize, type Principal } from '../auth.ts';
import type { UseCaseContext } from './context.ts';

/** What a dispatch center is told of: runs that failed (retried or not), jobs preempted or denied by a policy. */
export const ALERT_KINDS = [
  'job.failed',
  'job.retried',
  'job.preempted',
  'job.denied',
  'job.fenced',
  'site.unhealthy',
  'site.healthy',
  'link.cut',
  'link.restored',
  'grid.event',
  'grid.delivered',
] as const;

export interface Alert {
  readonly seq: number;
  readonly atS: number;
  readonly kind: (typeof ALERT_KINDS)[number];
  /** The job, or for a denial the tenant. */
  readonly subject: string;
  readonly summary: string;
}

/** How far back in the log alerts are looked for. */
const ALERT_LOOKBACK = 5000;

function summaryOf(e: AuditEntry): string {
  const d = e.data as {
    exitCode?: unknown;
    by?: unknown;
    rules?: unknown;
    policy?: unknown;
    failureClass?: unknown;
    siteId?: unknown;
    restart?: unknown;
    reason?: unknown;
    outS?: unknown;
    from?: unknown;
    to?: unknown;
    attempt?: unknown;
    lateState?: unknown;
    cancelled?: unknown;
  };
  if (e.kind === 'site.unhealthy') return `site ${e.subject} out of service: ${String(d.reason ?? d.failureClass)}`;
  if (e.kind === 'site.healthy') return `site ${e.subject} back in service after ${String(d.outS)} s`;
  if (e.kind === 'link.cut') return `link ${String(d.from)}–${String(d.to)} cut: ${String(d.reason)}`;
  if (e.kind === 'link.restored') return `link ${String(d.from)}–${String(d.to)} restored`;
  if (e.kind === 'grid.event') return gridEventSummary(e);
  if (e.kind === 'grid.delivered') {
    const g = e.data as { deliveredKwh?: unknown; askedKwh?: unknown; deliveredPct?: unknown };
    return `grid event ${e.subject}: ${Math.round(Number(g.deliveredKwh))} of ${Math.round(Number(g.askedKwh))} kWh asked delivered (${Math.round(Number(g.deliveredPct))} %)`;
  }
  if (e.kind === 'job.fenced') {
    return `job ${e.subject}: attempt ${String(d.attempt)} at ${String(d.siteId)} fenced (${String(d.lateState)}${d.cancelled ? ', cancelled' : ''})`;
  }
  if (e.kind === 'job.retried') {
    return `job ${e.subject}: ${String(d.failureClass)} at ${String(d.siteId)}, restart ${String(d.restart)}`;
  }
  if (e.kind === 'job.failed' && typeof d.failureClass === 'string') {
    return `job ${e.subject} failed: ${d.failureClass}${d.exitCode !== undefined ? ` (exit ${String(d.exitCode)})` : ''}${typeof d.siteId === 'string' ? ` at ${d.siteId}` : ''}`;
  }
  if (e.kind === 'job.failed')
    return `job ${e.subject} failed${d.exitCode !== undefined ? ` (exit ${String(d.exitCode)})` : ''}`;
  if (e.kind === 'job.preempted') return `job ${e.subject} preempted${typeof d.by === 'string' ? ` for ${d.by}` : ''}`;
  const rules = Array.isArray(d.rules) ? d.rules.join(', ') : '';
  return `a job of ${e.subject} denied by ${String(d.policy ?? 'the policy')}${rules ? ` (${rules})` : ''}`;
}

function gridEventSummary(e: AuditEntry): string {
  const plan = (e.data as { plan?: { event?: Record<string, unknown>; feasible?: unknown; shortfallKw?: unknown } })
    .plan;
  const ev = plan?.event ?? {};
  const ask =
    ev['reductionKw'] !== undefined
      ? `${Math.round(Number(ev['reductionKw']))} kW less`
      : `at most ${Math.round(Number(ev['ceilingKw']))} kW`;
  const short = plan?.feasible === false ? `, short by ${Math.round(Number(plan.shortfallKw))} kW` : '';
  return `grid event ${e.subject}: ${String(ev['level'])} ${String(ev['target'])} ${ask}${short}`;
}

/** The audit log for auditors and operators: its entries, its signed tree and proofs, its chain checked. */
export class AuditTrail {
  private readonly ctx: UseCaseContext;

  constructor(ctx: UseCaseContext) {
    this.ctx = ctx;
  }

  list(fromSeq: number, limit: number, actor: Principal): Promise<AuditEntry[]> {
    authorize(actor, 'audit.read');
    return this.ctx.store.listAudit(fromSeq, limit);
  }

  /** The latest alerts in the log, newest first: at most `limit` of the last ALERT_LOOKBACK entries. */
  async alerts(limit: number, actor: Principal): Promise<Alert[]> {
    authorize(actor, 'audit.read');
    const latest = await this.ctx.store.latestAuditSeq();
    const kinds: ReadonlySet<string> = new Set(ALERT_KINDS);
    const out: Alert[] = [];
    for (let from = Math.max(1, latest - ALERT_LOOKBACK + 1); from <= latest; ) {
      const page = await this.ctx.store.listAudit(from, 1000);
      if (page.length === 0) break;
      for (const e of page) {
        if (kinds.has(e.kind)) {
          out.push({
            seq: e.seq,
            atS: e.atS,
            kind: e.kind as Alert['kind'],
            subject: e.subject,
            summary: summaryOf(e),
          });
        }
      }
      from = (page[page.length - 1]?.seq ?? from) + 1;
    }
    return out.reverse().slice(0, limit);
  }

  /** The audit log's tree head and proofs. */
  tree(actor: Principal): AuditLog {
    authorize(actor, 'audit.read');
    return this.ctx.auditLog;
  }

  /** Recomputes the whole hash chain. */
  verify(actor: Principal): Promise<AuditVerification> {
    authorize(actor, 'audit.read');
    const store = this.ctx.store;
    return verifyAuditChain({
      async *[Symbol.asyncIterator]() {
        let from = 1;
        for (;;) {
          const page = await store.listAudit(from, 1000);
          if (page.length === 0) return;
          yield page;
          from = (page[page.length - 1]?.seq ?? from) + 1;
        }
      },
    });
  }
}
