/**
 * Settlement: bills per tenant and period (a line per metered attempt, less the vouchers redeemed
 * against it) and statements per site and period (revenue per pool). Both are sums of meter
 * records in integer fen, so they reconcile with them to the fen; `reconcile` proves it.
 */

import type { MeterRecord } from './meter.ts';

export interface BillLine {
  readonly meterId: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly kind: string;
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  readonly startS: number;
  readonly endS: number;
  readonly outcome: string;
  readonly acceleratorHours: number;
  readonly energyKwh: number;
  readonly carbonKg: number;
  readonly computeFen: number;
  readonly energyFen: number;
  readonly transferFen: number;
  /** Compute + energy + transfer. */
  readonly chargeFen: number;
  /** Credited for a contract's SLA the provider missed. */
  readonly creditFen: number;
  /** Paid by vouchers (a programme), not by the tenant. */
  readonly voucherFen: number;
  readonly dueFen: number;
}

export interface Bill {
  readonly tenant: string;
  readonly sector: string;
  readonly period: string;
  readonly lines: readonly BillLine[];
  readonly acceleratorHours: number;
  readonly energyKwh: number;
  readonly carbonKg: number;
  readonly computeFen: number;
  readonly energyFen: number;
  readonly transferFen: number;
  readonly chargeFen: number;
  readonly creditFen: number;
  readonly voucherFen: number;
  readonly dueFen: number;
}

export interface PoolRevenue {
  readonly poolId: string;
  readonly accelerator: string;
  readonly attempts: number;
  readonly acceleratorHours: number;
  readonly energyKwh: number;
  readonly computeFen: number;
  readonly energyFen: number;
}

/** What a site earned in a period: compute and energy per pool, and the data brought to it. */
export interface Statement {
  readonly siteId: string;
  readonly period: string;
  readonly pools: readonly PoolRevenue[];
  readonly acceleratorHours: number;
  readonly energyKwh: number;
  readonly computeFen: number;
  readonly energyFen: number;
  readonly transferFen: number;
  /** Everything charged for its runs: compute, energy and data brought in. */
  readonly revenueFen: number;
  /** SLA penalties it pays (credited to tenants). */
  readonly penaltiesFen: number;
  readonly netFen: number;
}

export interface SettlementFilter {
  readonly tenant?: string;
  readonly siteId?: string;
  readonly period?: string;
}

const hours = (s: number): number => Math.round(s / 36) / 100;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function wanted(m: MeterRecord, f: SettlementFilter): boolean {
  return (
    (f.tenant === undefined || m.tenant === f.tenant) &&
    (f.siteId === undefined || m.siteId === f.siteId) &&
    (f.period === undefined || m.period === f.period)
  );
}

function byKey(
  items: Iterable<MeterRecord>,
  f: SettlementFilter,
  key: (m: MeterRecord) => string,
): Map<string, MeterRecord[]> {
  const out = new Map<string, MeterRecord[]>();
  for (const m of items) {
    if (!wanted(m, f)) continue;
    const k = key(m);
    const list = out.get(k);
    if (list) list.push(m);
    else out.set(k, [m]);
  }
  return out;
}

const byId = (a: { readonly meterId: string }, b: { readonly meterId: string }) =>
  a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : 0;

/**
 * Bills of the meter records that pass `filter`, one per tenant and period (ordered by period, then
 * tenant), with `voucherFen` (meter id → fen redeemed) taken off what is due.
 */
export function billsOf(
  meters: Iterable<MeterRecord>,
  voucherFen: ReadonlyMap<string, number>,
  filter: SettlementFilter = {},
): Bill[] {
  const groups = byKey(meters, filter, (m) => `${m.period} ${m.tenant}`);
  const bills: Bill[] = [];
  for (const [key, list] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const first = list[0] as MeterRecord;
    const lines = list
      .map((m): BillLine => {
        const chargeFen = m.totalFen;
        const creditFen = Math.min(chargeFen, m.slaCreditFen ?? 0);
        const v = Math.min(chargeFen - creditFen, voucherFen.get(m.id) ?? 0);
        return {
          meterId: m.id,
          jobId: m.jobId,
          attempt: m.attempt,
          kind: m.kind,
          siteId: m.siteId,
          poolId: m.poolId,
          accelerator: m.accelerator,
          count: m.count,
          startS: m.startS,
          endS: m.endS,
          outcome: m.outcome,
          acceleratorHours: hours(m.acceleratorS),
          energyKwh: m.energyKwh,
          carbonKg: m.carbonKg,
          computeFen: m.computeFen,
          energyFen: m.energyFen,
          transferFen: m.transferFen,
          chargeFen,
          creditFen,
          voucherFen: v,
          dueFen: chargeFen - creditFen - v,
        };
      })
      .sort(byId);
    const sum = (f: (l: BillLine) => number) => lines.reduce((n, l) => n + f(l), 0);
    bills.push({
      tenant: first.tenant,
      sector: first.sector,
      period: key.slice(0, key.indexOf(' ')),
      lines,
      acceleratorHours: hours(list.reduce((n, m) => n + m.acceleratorS, 0)),
      energyKwh: round3(sum((l) => l.energyKwh)),
      carbonKg: round3(sum((l) => l.carbonKg)),
      computeFen: sum((l) => l.computeFen),
      energyFen: sum((l) => l.energyFen),
      transferFen: sum((l) => l.transferFen),
      chargeFen: sum((l) => l.chargeFen),
      creditFen: sum((l) => l.creditFen),
      voucherFen: sum((l) => l.voucherFen),
      dueFen: sum((l) => l.dueFen),
    });
  }
  return bills;
}

/** Statements of the meter records that pass `filter`, one per site and period. */
export function statementsOf(meters: Iterable<MeterRecord>, filter: SettlementFilter = {}): Statement[] {
  const groups = byKey(meters, filter, (m) => `${m.period} ${m.siteId}`);
  const out: Statement[] = [];
  for (const [key, list] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const pools = new Map<
      string,
      { accelerator: string; attempts: number; accS: number; kwh: number; c: number; e: number }
    >();
    let transferFen = 0;
    let penaltiesFen = 0;
    let accS = 0;
    for (const m of list) {
      const p = pools.get(m.poolId) ?? { accelerator: m.accelerator, attempts: 0, accS: 0, kwh: 0, c: 0, e: 0 };
      p.attempts++;
      p.accS += m.acceleratorS;
      p.kwh += m.energyKwh;
      p.c += m.computeFen;
      p.e += m.energyFen;
      pools.set(m.poolId, p);
      transferFen += m.transferFen;
      penaltiesFen += Math.min(m.totalFen, m.slaCreditFen ?? 0);
      accS += m.acceleratorS;
    }
    const rows = [...pools.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([poolId, p]) => ({
        poolId,
        accelerator: p.accelerator,
        attempts: p.attempts,
        acceleratorHours: hours(p.accS),
        energyKwh: round3(p.kwh),
        computeFen: p.c,
        energyFen: p.e,
      }));
    const computeFen = rows.reduce((n, r) => n + r.computeFen, 0);
    const energyFen = rows.reduce((n, r) => n + r.energyFen, 0);
    out.push({
      siteId: (list[0] as MeterRecord).siteId,
      period: key.slice(0, key.indexOf(' ')),
      pools: rows,
      acceleratorHours: hours(accS),
      energyKwh: round3(rows.reduce((n, r) => n + r.energyKwh, 0)),
      computeFen,
      energyFen,
      transferFen,
      revenueFen: computeFen + energyFen + transferFen,
      penaltiesFen,
      netFen: computeFen + energyFen + transferFen - penaltiesFen,
    });
  }
  return out;
}

/** Totals of meter records, bills and statements for the same records: every difference must be 0. */
export interface Reconciliation {
  readonly meterRecords: number;
  /** Records whose compute, energy and transfer do not add up to their total (must be 0). */
  readonly brokenRecords: number;
  readonly metersFen: number;
  readonly billsFen: number;
  readonly statementsFen: number;
  /** Bills' charges minus the meter records' totals. */
  readonly diffFen: number;
  /** Statements' revenue minus the meter records' totals. */
  readonly statementDiffFen: number;
  /** Due + vouchers + credits minus charges over all bills (vouchers and credits only move who pays). */
  readonly voucherDiffFen: number;
}

export function reconcile(
  meters: readonly MeterRecord[],
  bills: readonly Bill[],
  statements: readonly Statement[],
): Reconciliation {
  let metersFen = 0;
  let brokenRecords = 0;
  for (const m of meters) {
    metersFen += m.totalFen;
    if (m.computeFen + m.energyFen + m.transferFen !== m.totalFen) brokenRecords++;
  }
  const billsFen = bills.reduce((n, b) => n + b.lines.reduce((k, l) => k + l.chargeFen, 0), 0);
  const statementsFen = statements.reduce((n, s) => n + s.revenueFen, 0);
  const voucherDiffFen = bills.reduce((n, b) => n + b.dueFen + b.voucherFen + b.creditFen - b.chargeFen, 0);
  return {
    meterRecords: meters.length,
    brokenRecords,
    metersFen,
    billsFen,
    statementsFen,
    diffFen: billsFen - metersFen,
    statementDiffFen: statementsFen - metersFen,
    voucherDiffFen,
  };
}
