import type { Bill, LinkPrice, PoolPrice, Statement } from '@suanli/engine';
import {
  type ContractView,
  type OfferView,
  type ProgrammeView,
  type SectorReport,
  type SettlementCheck,
  type VoucherView,
  yuan,
} from '@suanli/service';
import { formatTime, table } from './format.ts';

export function pricesTable(p: { pools: readonly PoolPrice[]; links: readonly LinkPrice[] }): string {
  const pools = table(
    ['POOL', 'VERSION', 'FROM', '¥/ACC-H', 'TIME OF USE'],
    p.pools.map((v) => [
      v.poolId,
      String(v.version),
      v.fromS === 0 ? 'network file' : formatTime(v.fromS),
      yuan(v.fenPerAcceleratorHour),
      v.hourlyPct ? `${Math.min(...v.hourlyPct)}–${Math.max(...v.hourlyPct)} %` : 'flat',
    ]),
    [1, 3],
  );
  if (p.links.length === 0) return pools;
  const links = table(
    ['LINK', 'VERSION', 'FROM', '¥/GB'],
    p.links.map((v) => [
      v.link.replace('|', '–'),
      String(v.version),
      v.fromS === 0 ? 'network file' : formatTime(v.fromS),
      yuan(v.fenPerGb),
    ]),
    [1, 3],
  );
  return `${pools}\n\n${links}`;
}

export function billsTable(bills: readonly Bill[]): string {
  if (bills.length === 0) return 'no bills yet: nothing has run to the end of an attempt';
  const rows = table(
    ['PERIOD', 'TENANT', 'LINES', 'ACC-H', 'KWH', 'COMPUTE ¥', 'ENERGY ¥', 'TRANSFER ¥', 'VOUCHERS ¥', 'DUE ¥'],
    bills.map((b) => [
      b.period,
      b.tenant,
      String(b.lines.length),
      b.acceleratorHours.toFixed(2),
      b.energyKwh.toFixed(1),
      yuan(b.computeFen),
      yuan(b.energyFen),
      yuan(b.transferFen),
      yuan(b.voucherFen),
      yuan(b.dueFen),
    ]),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  const due = bills.reduce((n, b) => n + b.dueFen, 0);
  const charged = bills.reduce((n, b) => n + b.chargeFen, 0);
  return `${rows}\n${bills.length} bills, ¥${yuan(charged)} charged, ¥${yuan(due)} due`;
}

/** One tenant's bill with its line items. */
export function billLinesText(bills: readonly Bill[]): string {
  return bills
    .map((b) => {
      const head = `bill ${b.period} ${b.tenant} (${b.sector}): ¥${yuan(b.chargeFen)} charged, ¥${yuan(b.voucherFen)} by vouchers, ¥${yuan(b.dueFen)} due`;
      const lines = table(
        ['LINE', 'KIND', 'SITE', 'ACCELERATORS', 'OUTCOME', 'ACC-H', 'CHARGE ¥', 'VOUCHER ¥'],
        b.lines.map((l) => [
          l.meterId,
          l.kind,
          l.siteId,
          `${l.accelerator} ×${l.count}`,
          l.outcome,
          l.acceleratorHours.toFixed(2),
          yuan(l.chargeFen),
          yuan(l.voucherFen),
        ]),
        [5, 6, 7],
      );
      return `${head}\n${lines}`;
    })
    .join('\n\n');
}

export function statementsTable(statements: readonly Statement[]): string {
  if (statements.length === 0) return 'no statements yet';
  return statements
    .map((s) => {
      const head = `statement ${s.period} ${s.siteId}: revenue ¥${yuan(s.revenueFen)} (compute ¥${yuan(s.computeFen)}, energy ¥${yuan(s.energyFen)}, data in ¥${yuan(s.transferFen)}), ${s.energyKwh.toFixed(1)} kWh`;
      const rows = table(
        ['POOL', 'ACCELERATOR', 'ATTEMPTS', 'ACC-H', 'KWH', 'COMPUTE ¥', 'ENERGY ¥'],
        s.pools.map((p) => [
          p.poolId,
          p.accelerator,
          String(p.attempts),
          p.acceleratorHours.toFixed(2),
          p.energyKwh.toFixed(1),
          yuan(p.computeFen),
          yuan(p.energyFen),
        ]),
        [2, 3, 4, 5, 6],
      );
      return `${head}\n${rows}`;
    })
    .join('\n\n');
}

export function verifyText(c: SettlementCheck): string {
  const lines = [
    `${c.ok ? 'settlement verified' : 'SETTLEMENT DOES NOT VERIFY'} for ${c.period}: ${c.meterRecords} meter records, ¥${yuan(c.metersFen)}`,
    `audit chain: ${c.chainOk ? 'intact' : 'BROKEN'} (${c.auditEntries} entries read)`,
    `meter records rebuilt from the log: ${c.meterDigest === c.rebuiltDigest ? 'identical' : 'DIFFERENT'} (sha256 ${c.meterDigest.slice(0, 16)}…)`,
    `bills − meter records: ${c.diffFen} fen; statements − meter records: ${c.statementDiffFen} fen; vouchers + due − charges: ${c.voucherDiffFen} fen`,
    ...c.problems.map((p) => `problem: ${p}`),
  ];
  return lines.join('\n');
}

export function programmesTable(p: readonly ProgrammeView[]): string {
  if (p.length === 0) return 'no sector programmes in this network';
  return table(
    ['PROGRAMME', 'SECTORS', 'KINDS', 'BOOST', 'BUDGET ¥', 'ISSUED ¥', 'LEFT ¥', 'REDEEMED ¥', 'UNTIL'],
    p.map((x) => [
      x.id,
      x.sectors.join(','),
      x.kinds.join(','),
      `×${x.shareBoost}`,
      yuan(x.budgetFen),
      yuan(x.issuedFen),
      yuan(x.budgetLeftFen),
      yuan(x.redeemedFen),
      formatTime(x.validToS - 1).slice(0, 10),
    ]),
    [3, 4, 5, 6, 7],
  );
}

export function vouchersTable(v: readonly VoucherView[]): string {
  if (v.length === 0) return 'no vouchers';
  return table(
    ['VOUCHER', 'PROGRAMME', 'TENANT', 'AMOUNT ¥', 'REDEEMED ¥', 'WRITTEN OFF ¥', 'BALANCE ¥', 'EXPIRES'],
    v.map((x) => [
      x.id,
      x.programmeId,
      x.tenant,
      yuan(x.amountFen),
      yuan(x.redeemedFen),
      yuan(x.writtenOffFen),
      yuan(x.balanceFen),
      formatTime(x.expiresAtS - 1).slice(0, 10),
    ]),
    [3, 4, 5, 6],
  );
}

export function sectorsTable(rows: readonly SectorReport[]): string {
  if (rows.length === 0) return 'no demand in this period';
  return table(
    ['SECTOR', 'TENANTS', 'JOBS', 'ASKED ACC-H', 'USED ACC-H', 'SPEND ¥', 'VOUCHERS ¥', 'PROGRAMMES'],
    rows.map((r) => [
      r.sector,
      String(r.tenants),
      String(r.jobsSubmitted),
      r.askedAcceleratorHours.toFixed(1),
      r.usedAcceleratorHours.toFixed(1),
      yuan(r.chargeFen),
      yuan(r.voucherFen),
      r.programmes.join(', ') || '-',
    ]),
    [1, 2, 3, 4, 5, 6],
  );
}

export function offersTable(offers: readonly OfferView[]): string {
  if (offers.length === 0) return 'no offers';
  return table(
    ['OFFER', 'KIND', 'POOL', 'COUNT', 'SOLD', '¥/ACC-H', 'FROM', 'UNTIL', 'SLA', 'STATE'],
    offers.map((o) => [
      o.id,
      o.kind,
      o.poolId,
      String(o.count),
      o.kind === 'reserved' ? String(o.soldCount) : '-',
      yuan(o.fenPerAcceleratorHour),
      formatTime(o.fromS),
      formatTime(o.toS),
      o.sla?.startWithinS !== undefined ? `start ≤ ${o.sla.startWithinS} s, ¥${yuan(o.sla.penaltyFen)}` : '-',
      o.withdrawnAtS !== undefined ? 'withdrawn' : o.open ? 'open' : 'closed',
    ]),
    [3, 4, 5],
  );
}

export function contractsTable(contracts: readonly ContractView[]): string {
  if (contracts.length === 0) return 'no contracts';
  return table(
    ['CONTRACT', 'TENANT', 'POOL', 'COUNT', '¥/ACC-H', 'FROM', 'UNTIL', 'UID'],
    contracts.map((c) => [
      c.id,
      c.tenant,
      c.poolId,
      String(c.count),
      yuan(c.fenPerAcceleratorHour),
      formatTime(c.fromS),
      formatTime(c.toS),
      c.uid,
    ]),
    [3, 4],
  );
}
