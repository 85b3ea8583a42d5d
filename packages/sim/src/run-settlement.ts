import {
  Books,
  balanceFen,
  checkRedemption,
  type Job,
  type LogEvent,
  type MeterRecord,
  type Placement,
  type PreparedNetwork,
} from '@suanli/engine';

export type RunOutcome = 'succeeded' | 'failed' | 'retried' | 'preempted' | 'cancelled';

/** What a run's jobs were billed, by sector, and what each sector programme's vouchers paid. */
export interface SettlementSummary {
  readonly attempts: number;
  readonly chargeFen: number;
  readonly computeFen: number;
  readonly energyFen: number;
  readonly transferFen: number;
  readonly sectors: readonly {
    readonly sector: string;
    readonly acceleratorHours: number;
    readonly chargeFen: number;
    readonly voucherFen: number;
  }[];
  readonly programmes: readonly {
    readonly id: string;
    readonly budgetFen: number;
    readonly redeemedFen: number;
    readonly lines: number;
  }[];
}

/**
 * Metering and settlement in a simulated run: the simulator writes the entries the live service
 * writes to its audit log (submitted, placed, running, ended) into the same books, so its meter
 * records and bills come from the same fold. Sector programmes' vouchers are redeemed against the
 * lines the voucher rules allow, in the order the runs ended, until each budget is spent.
 */
export class SimBooks {
  private readonly books: Books;
  private readonly net: PreparedNetwork;
  private seq = 0;
  /** Jobs told to the books (a replica queued again is the same job). */
  private readonly known = new Set<string>();

  constructor(net: PreparedNetwork) {
    this.net = net;
    this.books = new Books(net);
  }

  private write(atS: number, kind: string, subject: string, data: Record<string, unknown>): void {
    const e: LogEvent = { seq: ++this.seq, atS, kind, subject, data };
    this.books.apply(e);
  }

  submitted(job: Job, atS: number): void {
    if (this.known.has(job.id)) return;
    this.known.add(job.id);
    this.write(atS, 'job.submitted', job.id, { tenant: job.tenant, kind: job.kind });
  }

  started(job: Job, p: Placement, atS: number, computeStartS: number): void {
    this.write(atS, 'job.placed', job.id, {
      siteId: p.siteId,
      poolId: p.poolId,
      accelerator: p.accelerator,
      count: p.count,
      ...(p.transfers ? { transfers: p.transfers } : {}),
    });
    this.write(atS, 'job.running', job.id, { startedAtS: computeStartS });
  }

  ended(job: Job, atS: number, outcome: RunOutcome, ranS: number, failureClass?: string): void {
    if (outcome === 'failed' || outcome === 'retried') {
      this.write(atS, outcome === 'failed' ? 'job.failed' : 'job.retried', job.id, {
        endedAtS: atS,
        ranS,
        ...(failureClass !== undefined ? { failureClass } : {}),
      });
    } else this.write(atS, `job.${outcome}`, job.id, outcome === 'succeeded' ? { endedAtS: atS } : {});
  }

  summary(): SettlementSummary {
    const meters = [...this.books.meters.values()].sort((a, b) => a.endSeq - b.endSeq);
    const paid = this.redeem(meters);
    const sectors = new Map<string, { accS: number; chargeFen: number; voucherFen: number }>();
    let computeFen = 0;
    let energyFen = 0;
    let transferFen = 0;
    for (const m of meters) {
      const s = sectors.get(m.sector) ?? { accS: 0, chargeFen: 0, voucherFen: 0 };
      s.accS += m.acceleratorS;
      s.chargeFen += m.totalFen;
      s.voucherFen += paid.byMeter.get(m.id) ?? 0;
      sectors.set(m.sector, s);
      computeFen += m.computeFen;
      energyFen += m.energyFen;
      transferFen += m.transferFen;
    }
    return {
      attempts: meters.length,
      chargeFen: computeFen + energyFen + transferFen,
      computeFen,
      energyFen,
      transferFen,
      sectors: [...sectors.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([sector, s]) => ({
          sector,
          acceleratorHours: s.accS / 3600,
          chargeFen: s.chargeFen,
          voucherFen: s.voucherFen,
        })),
      programmes: paid.programmes,
    };
  }

  /** Each programme's budget, redeemed line by line where the voucher rules allow it. */
  private redeem(meters: readonly MeterRecord[]) {
    const network = this.net.network;
    const byMeter = new Map<string, number>();
    const operators = new Map((network.operators ?? []).map((o) => [o.id, o]));
    const provider = (siteId: string) => {
      const op = this.net.siteById.get(siteId)?.site.operator;
      return op === undefined ? undefined : operators.get(op);
    };
    const programmes = (network.programmes ?? []).map((p) => {
      let redeemedFen = 0;
      let lines = 0;
      for (const m of meters) {
        const left = p.budgetFen - redeemedFen;
        if (left <= 0) break;
        if (!p.sectors.includes(m.sector as (typeof p.sectors)[number])) continue;
        const fen = Math.min(left, m.totalFen - (m.slaCreditFen ?? 0) - (byMeter.get(m.id) ?? 0));
        if (fen <= 0) continue;
        const voucher = {
          id: `${p.id}:${m.tenant}`,
          programmeId: p.id,
          tenant: m.tenant,
          amountFen: left,
          issuedAtS: m.startS,
          expiresAtS: p.validToS,
          redeemedFen: 0,
          writtenOffFen: 0,
        };
        const line = { meter: m, fen, claimed: byMeter.has(m.id), settled: true };
        const tenant = this.net.tenants.get(m.tenant);
        // The programme's period is checked at the run's end, as a redemption then would be.
        if (checkRedemption(voucher, p, tenant, m.tenant, provider, [line], m.endS).length > 0) continue;
        if (balanceFen(voucher) < fen) continue;
        byMeter.set(m.id, (byMeter.get(m.id) ?? 0) + fen);
        redeemedFen += fen;
        lines++;
      }
      return { id: p.id, budgetFen: p.budgetFen, redeemedFen, lines };
    });
    return { byMeter, programmes };
  }
}
