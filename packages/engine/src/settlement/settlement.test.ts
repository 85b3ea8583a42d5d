import { describe, expect, it } from 'vitest';
import type { Programme, SiteOperator } from '../domain/market.ts';
import type { Network } from '../domain/network.ts';
import { prepareNetwork } from '../framework/prepared-network.ts';
import { T0, testNetwork } from '../network.fixture.ts';
import type { LogEvent } from './attempts.ts';
import { billsOf, reconcile, statementsOf } from './bills.ts';
import { Books } from './books.ts';
import { periodOf } from './period.ts';
import { basePriceBook, checkPriceChange, withPrice } from './prices.ts';
import { checkIssue, checkRedemption, type Voucher } from './vouchers.ts';

const network: Network = {
  ...testNetwork(),
  tenants: [
    { id: 'farm', name: 'Farm', sector: 'agriculture', shareWeight: 1, legalEntity: '91000000FARM000001' },
    { id: 'bank', name: 'Bank', sector: 'finance', shareWeight: 1, legalEntity: '91000000BANK000002' },
  ],
};
const net = prepareNetwork(network);

/** An audit log in the making: entries numbered as the store numbers them. */
function log() {
  const entries: LogEvent[] = [];
  const add = (atS: number, kind: string, subject: string, data: Record<string, unknown> = {}) =>
    entries.push({ seq: entries.length + 1, atS, kind, subject, data });
  return { entries, add };
}

/** A job of `tenant` run once on 8 H100 at `west`, an hour of work in a minute (a 60× backend). */
function oneRun(l: ReturnType<typeof log>, id: string, tenant: string, end = 'job.succeeded', kind = 'train') {
  l.add(T0, 'job.submitted', id, { tenant, kind });
  l.add(T0, 'job.placed', id, {
    siteId: 'west',
    poolId: 'west-h100',
    accelerator: 'H100',
    count: 8,
    workScale: 60,
    transfers: [{ fromSiteId: 'east', gb: 100 }],
  });
  l.add(T0 + 1, 'job.running', id, { startedAtS: T0 });
  l.add(T0 + 60, end, id, end === 'job.retried' ? { ranS: 1800, failureClass: 'node-failure' } : { endedAtS: T0 + 60 });
}

describe('metering from the audit log', () => {
  it('meters an attempt from its entries: accelerator-seconds, energy, carbon, data per link, in fen', () => {
    const l = log();
    oneRun(l, 'j-1', 'farm');
    const books = new Books(net);
    for (const e of l.entries) books.apply(e);
    const m = books.meters.get('j-1#1');
    // 8 × 700 W × 0.96 (training) × 1.35 (host) × PUE 1.2 for an hour; 0.4 ¥/kWh; 100 GB at 0.05 ¥.
    expect(m).toMatchObject({
      tenant: 'farm',
      sector: 'agriculture',
      siteId: 'west',
      workS: 3600,
      acceleratorS: 28_800,
      energyKwh: 8.709,
      computeFen: 8000,
      energyFen: 348,
      transferFen: 500,
      totalFen: 8848,
      period: periodOf(T0 + 60),
      outcome: 'succeeded',
    });
    expect(m?.carbonKg).toBeCloseTo(8.709 * 0.68, 3);
    expect(m?.transfers).toEqual([
      { fromSiteId: 'east', toSiteId: 'west', gb: 100, version: 0, fenPerGb: 5, fen: 500 },
    ]);
  });

  it('meters failed and preempted runs as what they used, and a run that never started not at all', () => {
    const l = log();
    oneRun(l, 'j-f', 'farm', 'job.retried');
    l.add(T0 + 100, 'job.placed', 'j-f', { siteId: 'west', poolId: 'west-h100', accelerator: 'H100', count: 8 });
    l.add(T0 + 200, 'job.cancelled', 'j-f');
    oneRun(l, 'j-p', 'bank', 'job.preempted');
    const books = new Books(net);
    for (const e of l.entries) books.apply(e);
    expect(books.meters.get('j-f#1')).toMatchObject({ outcome: 'failed', failureClass: 'node-failure', workS: 1800 });
    expect(books.meters.has('j-f#2')).toBe(false);
    expect(books.meters.get('j-p#1')).toMatchObject({ outcome: 'preempted', workS: 3600, computeFen: 8000 });
  });

  it('takes the times a run’s own entries give when no poll saw it running, and credits an SLA on the first run that started', () => {
    const l = log();
    l.add(T0, 'job.submitted', 'quick', { tenant: 'farm', kind: 'train' });
    l.add(T0, 'job.placed', 'quick', { siteId: 'west', poolId: 'west-h100', accelerator: 'H100', count: 8 });
    // Failed before any poll saw it running: the start comes with the failure.
    l.add(T0 + 900, 'job.retried', 'quick', { startedAtS: T0 + 10, ranS: 600, failureClass: 'node-failure' });
    l.add(T0 + 900, 'job.placed', 'quick', { siteId: 'west', poolId: 'west-h100', accelerator: 'H100', count: 8 });
    // Found cancelled by its backend, with the run's own start and end.
    l.add(T0 + 2000, 'job.cancelled', 'quick', { startedAtS: T0 + 1000, endedAtS: T0 + 1300 });
    l.add(T0, 'job.submitted', 'sla', { tenant: 'farm', kind: 'train' });
    const market = { kind: 'contract', id: 'c-1', fenPerAcceleratorHour: 900, startWithinS: 60, penaltyFen: 500 };
    l.add(T0, 'job.placed', 'sla', { siteId: 'west', poolId: 'west-h100', accelerator: 'H100', count: 8, market });
    l.add(T0 + 30, 'job.preempted', 'sla');
    l.add(T0 + 30, 'job.placed', 'sla', { siteId: 'west', poolId: 'west-h100', accelerator: 'H100', count: 8, market });
    l.add(T0 + 120, 'job.running', 'sla', { startedAtS: T0 + 120 });
    l.add(T0 + 3720, 'job.succeeded', 'sla', { endedAtS: T0 + 3720 });
    const books = new Books(net);
    for (const e of l.entries) books.apply(e);
    expect(books.meters.get('quick#1')).toMatchObject({ startS: T0 + 10, workS: 600, outcome: 'failed' });
    expect(books.meters.get('quick#2')).toMatchObject({ startS: T0 + 1000, endS: T0 + 1300, workS: 300 });
    // The first placement never started: the second is the first run, and it started 120 s after submission.
    expect(books.meters.has('sla#1')).toBe(false);
    expect(books.meters.get('sla#2')).toMatchObject({
      computeFen: 7200,
      slaCreditFen: 500,
      market: { kind: 'contract' },
    });
  });

  it('is replayable: the same log gives the same records, byte for byte', () => {
    const l = log();
    oneRun(l, 'a', 'farm');
    oneRun(l, 'b', 'bank', 'job.retried');
    const once = new Books(net);
    const again = new Books(net);
    for (const e of l.entries) once.apply(e);
    for (const e of l.entries) again.apply(e);
    expect(JSON.stringify([...again.meters.values()])).toBe(JSON.stringify([...once.meters.values()]));
  });
});

describe('price books', () => {
  it('splits a run over the price versions in force, with time of use in local hours', () => {
    const l = log();
    // From half-way through the hour of work: 2,000 fen, at 50 % in every hour but one.
    const hourlyPct = Array.from({ length: 24 }, (_, h) => (h === 23 ? 100 : 50));
    l.add(T0 - 10, 'price.set', 'west-h100', {
      poolId: 'west-h100',
      fromS: T0 + 1800,
      fenPerAcceleratorHour: 2000,
      hourlyPct,
    });
    oneRun(l, 'j', 'farm');
    const books = new Books(net);
    for (const e of l.entries) books.apply(e);
    const m = books.meters.get('j#1');
    // T0 is 08:00 in UTC+8: the second half-hour is at 50 %.
    expect(m?.compute).toEqual([
      { version: 0, fenPerAcceleratorHour: 1000, acceleratorS: 14_400, fen: 4000 },
      { version: 1, fenPerAcceleratorHour: 2000, acceleratorS: 14_400, fen: 4000 },
    ]);
    expect(m?.computeFen).toBe(8000);
  });

  it('refuses negative prices, unknown pools, versions in the past or overlapping the latest', () => {
    const book = withPrice(basePriceBook(network), {
      poolId: 'west-h100',
      fromS: T0 + 100,
      fenPerAcceleratorHour: 900,
    });
    const check = (c: Parameters<typeof checkPriceChange>[2]) => checkPriceChange(book, network, c, T0)?.field;
    expect(check({ poolId: 'west-h100', fromS: T0, fenPerAcceleratorHour: -1 })).toBe('fenPerAcceleratorHour');
    expect(check({ poolId: 'mars-h100', fromS: T0, fenPerAcceleratorHour: 1 })).toBe('poolId');
    expect(check({ poolId: 'east-h100', fromS: T0 - 1, fenPerAcceleratorHour: 1 })).toBe('fromS');
    expect(check({ poolId: 'west-h100', fromS: T0 + 50, fenPerAcceleratorHour: 1 })).toBe('fromS');
    expect(check({ poolId: 'west-h100', fromS: T0 + 101, fenPerAcceleratorHour: 1 })).toBeUndefined();
    expect(check({ a: 'west', b: 'west', fromS: T0, fenPerGb: 1 })).toBe('b');
    expect(check({ a: 'west', b: 'east', fromS: T0, fenPerGb: 3 })).toBeUndefined();
  });
});

describe('settlement', () => {
  it('bills per tenant and statements per site add up to the meter records to the fen', () => {
    const l = log();
    for (let i = 0; i < 7; i++) oneRun(l, `j-${i}`, i % 2 ? 'farm' : 'bank', i === 3 ? 'job.retried' : 'job.succeeded');
    const books = new Books(net);
    for (const e of l.entries) books.apply(e);
    const meters = [...books.meters.values()];
    const vouchers = new Map([['j-1#1', 1234]]);
    const bills = billsOf(meters, vouchers);
    const statements = statementsOf(meters);
    expect(bills.map((b) => [b.tenant, b.lines.length])).toEqual([
      ['bank', 4],
      ['farm', 3],
    ]);
    expect(bills[1]).toMatchObject({ voucherFen: 1234, dueFen: (bills[1]?.chargeFen ?? 0) - 1234 });
    expect(statements).toHaveLength(1);
    expect(reconcile(meters, bills, statements)).toMatchObject({
      meterRecords: 7,
      brokenRecords: 0,
      diffFen: 0,
      statementDiffFen: 0,
      voucherDiffFen: 0,
    });
  });
});

describe('voucher rules', () => {
  const programme: Programme = {
    id: 'ai-agri',
    name: 'AI+ agriculture',
    sectors: ['agriculture'],
    kinds: ['train', 'finetune'],
    shareBoost: 2,
    budgetFen: 100_000,
    validFromS: T0 - 86_400,
    validToS: T0 + 86_400 * 30,
  };
  const farm = network.tenants[0];
  const bank = network.tenants[1];
  const voucher: Voucher = {
    id: 'v-1',
    programmeId: 'ai-agri',
    tenant: 'farm',
    amountFen: 10_000,
    issuedAtS: T0,
    expiresAtS: programme.validToS,
    redeemedFen: 0,
    writtenOffFen: 0,
  };
  const apart: SiteOperator = { id: 'west-co', name: 'West Co', legalEntity: '91000000WEST000003' };
  const related: SiteOperator = { ...apart, relatedEntities: ['91000000FARM000001'] };
  const books = new Books(net);
  const l = log();
  oneRun(l, 'train', 'farm');
  oneRun(l, 'serve', 'farm', 'job.succeeded', 'batch-infer');
  for (const e of l.entries) books.apply(e);
  const line = (id: string, fen: number, claimed = false) => ({
    meter: books.meters.get(id) ?? (undefined as never),
    fen,
    claimed,
    settled: true,
  });
  const rules = (ds: { rule: string }[]) => ds.map((d) => d.rule);

  it('issues within the budget to an eligible sector only', () => {
    expect(checkIssue(programme, farm, 'farm', 0, 100_000, T0)).toEqual([]);
    expect(rules(checkIssue(programme, farm, 'farm', 50_000, 60_000, T0))).toEqual(['V03']);
    const denied = checkIssue(programme, bank, 'bank', 0, 1000, T0);
    expect(rules(denied)).toEqual(['V01']);
    expect(denied[0]?.reason).toContain('tenant bank is in sector finance; programme ai-agri supports agriculture');
    expect(rules(checkIssue(programme, farm, 'farm', 0, 1000, programme.validToS))).toEqual(['V02']);
  });

  it('redeems against eligible, unclaimed lines of the own tenant within the balance, from an unrelated provider', () => {
    const ok = checkRedemption(voucher, programme, farm, 'farm', () => apart, [line('train#1', 8848)], T0 + 100);
    expect(ok).toEqual([]);
    const deny = (lines: ReturnType<typeof line>[], op = apart, tenant = farm, id = 'farm', v = voucher) =>
      rules(checkRedemption(v, programme, tenant, id, () => op, lines, T0 + 100));
    expect(deny([line('serve#1', 100)])).toEqual(['V05']);
    expect(deny([line('train#1', 100)], related)).toEqual(['V07']);
    expect(deny([line('train#1', 100, true)])).toEqual(['V08']);
    expect(deny([line('train#1', 10_001)])).toEqual(['V09']);
    expect(deny([line('train#1', 100)], apart, bank, 'bank')).toEqual(expect.arrayContaining(['V01', 'V04']));
    // A provider whose legal entity is not known cannot be cleared of being a related party: refused.
    expect(deny([line('train#1', 100)], { id: 'x', name: 'X' })).toEqual(['V07']);
  });
});
