import { createHash } from 'node:crypto';
import {
  type Bill,
  Books,
  billsOf,
  checkPriceChange,
  type LinkPrice,
  linkKey,
  MARKET_KINDS,
  type MeterRecord,
  type Network,
  type PoolPrice,
  type PriceChange,
  periodSpan,
  prepareNetwork,
  type Reconciliation,
  reconcile,
  type Sector,
  type Statement,
  statementsOf,
} from '@suanli/engine';
import { type AuditEvent, auditHash, canonicalJson, GENESIS_HASH } from '../audit.ts';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import type { UseCaseContext } from './context.ts';

/** A price change as asked for: from `fromS`, or from now. */
export type PriceInput = (
  | {
      readonly poolId: string;
      readonly fenPerAcceleratorHour: number;
      readonly hourlyPct?: readonly number[] | undefined;
    }
  | { readonly a: string; readonly b: string; readonly fenPerGb: number }
) & { readonly fromS?: number | undefined };

export interface BillQuery {
  readonly tenant?: string;
  readonly period?: string;
}

/** A sector's month: demand (jobs and accelerator-hours asked), use, spend, and what vouchers paid. */
export interface SectorReport {
  readonly sector: string;
  readonly period: string;
  readonly tenants: number;
  readonly jobsSubmitted: number;
  readonly askedAcceleratorHours: number;
  readonly usedAcceleratorHours: number;
  readonly chargeFen: number;
  readonly voucherFen: number;
  /** The sector programmes that cover it. */
  readonly programmes: readonly string[];
}

export interface SettlementCheck extends Reconciliation {
  readonly ok: boolean;
  readonly period: string;
  /** Entries of the audit log read, and whether its hash chain verified. */
  readonly auditEntries: number;
  readonly chainOk: boolean;
  /** SHA-256 of the period's meter records (canonical JSON, by id), live and rebuilt from the log. */
  readonly meterDigest: string;
  readonly rebuiltDigest: string;
  readonly problems: readonly string[];
}

function digest(meters: Iterable<MeterRecord>): string {
  const list = [...meters].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const h = createHash('sha256');
  for (const m of list) h.update(canonicalJson(m)).update('\n');
  return h.digest('hex');
}

export function checkPeriod(period: string | undefined): void {
  if (period !== undefined && !periodSpan(period)) {
    throw new SuanliError('INVALID_FIELD', `period ${period} is not a month written YYYY-MM`, { field: 'period' });
  }
}

/**
 * Metering and settlement in the live service: the books folded from the audit log (the same fold
 * the simulator and `bills verify` run), price changes and vouchers written to the log only after
 * their rules pass on the books as of the newest market entry (all or nothing), bills per tenant,
 * statements per site.
 */
export class Settlement {
  private readonly ctx: UseCaseContext;
  private books: Books | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(ctx: UseCaseContext) {
    this.ctx = ctx;
  }

  /** The books caught up with the log. Calls run one at a time. */
  current(): Promise<Books> {
    const run = this.lock.then(() => this.catchUp());
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<Books> {
    this.books ??= new Books(prepareNetwork(this.ctx.network()));
    await readInto(this.books, this.ctx);
    return this.books;
  }

  async prices(actor: Principal): Promise<{ pools: PoolPrice[]; links: LinkPrice[] }> {
    authorize(actor, 'prices.read');
    const book = (await this.current()).prices;
    return { pools: [...book.pools.values()].flat(), links: [...book.links.values()].flat() };
  }

  /** Sets a new price version from `fromS` (now when absent): refused if it would overlap one or start in the past. */
  async setPrice(input: PriceInput, actor: Principal): Promise<PoolPrice | LinkPrice> {
    authorize(actor, 'prices.write');
    const nowS = this.ctx.clock.nowS();
    const change = { ...input, fromS: input.fromS ?? nowS } as PriceChange;
    const entries = await this.write((books) => {
      const problem = checkPriceChange(books.prices, this.ctx.network(), change, nowS);
      if (problem) {
        const code = problem.field === 'fromS' ? 'PRICE_CONFLICT' : 'INVALID_FIELD';
        throw new SuanliError(code, problem.reason, { field: problem.field });
      }
      const subject = 'poolId' in change ? change.poolId : `${change.a}~${change.b}`;
      return [{ atS: nowS, kind: 'price.set', subject, data: { ...change, by: actor.name } }];
    });
    const books = await this.current();
    const versions =
      'poolId' in change ? books.prices.pools.get(change.poolId) : books.prices.links.get(linkKey(change.a, change.b));
    const v = versions?.at(-1);
    if (!v || entries.length === 0) throw new SuanliError('INTERNAL', 'the price was written but not read back');
    return v;
  }

  async bills(q: BillQuery, actor: Principal): Promise<Bill[]> {
    checkPeriod(q.period);
    const tenant = q.tenant ?? (actor.role.startsWith('tenant') ? actor.tenant : undefined);
    authorize(actor, 'bills.read', tenant ?? '*');
    const books = await this.current();
    return billsOf(books.meters.values(), books.claimed, {
      ...(tenant !== undefined ? { tenant } : {}),
      ...(q.period !== undefined ? { period: q.period } : {}),
    });
  }

  async statements(q: { siteId?: string; period?: string }, actor: Principal): Promise<Statement[]> {
    authorize(actor, 'statements.read');
    checkPeriod(q.period);
    if (q.siteId !== undefined && !this.ctx.network().sites.some((s) => s.id === q.siteId)) {
      throw new SuanliError('SITE_NOT_FOUND', `no site ${q.siteId}`, { field: 'site' });
    }
    const own = sitesOf(this.ctx.network(), actor);
    if (own && q.siteId !== undefined && !own.has(q.siteId)) {
      throw new SuanliError(
        'FORBIDDEN',
        `${actor.name} (site-operator of ${actor.operator}) may not read the statements of ${q.siteId}`,
      );
    }
    const books = await this.current();
    return statementsOf(books.meters.values(), {
      ...(q.siteId !== undefined ? { siteId: q.siteId } : {}),
      ...(q.period !== undefined ? { period: q.period } : {}),
    }).filter((s) => !own || own.has(s.siteId));
  }

  /**
   * Proves a period's settlement: the audit chain verifies; the meter records rebuilt from the whole
   * log are the live ones, byte for byte; bills and statements add up to them to the fen.
   */
  async verify(period: string, actor: Principal): Promise<SettlementCheck> {
    authorize(actor, 'audit.read');
    checkPeriod(period);
    const live = await this.current();
    // The live books may read on while the log is read again: both are compared as of this entry.
    const seq = live.seq;
    const rebuilt = new Books(prepareNetwork(this.ctx.network()));
    const chain = await readInto(rebuilt, this.ctx, seq, true);
    const ofPeriod = (b: Books) => [...b.meters.values()].filter((m) => m.period === period && m.endSeq <= seq);
    const meters = ofPeriod(live);
    const bills = billsOf(meters, live.claimed);
    const statements = statementsOf(meters);
    const r = reconcile(meters, bills, statements);
    const meterDigest = digest(meters);
    const rebuiltDigest = digest(ofPeriod(rebuilt));
    const problems: string[] = [];
    if (!chain.ok) problems.push(`the audit log does not verify: ${chain.problem}`);
    if (meterDigest !== rebuiltDigest) problems.push('the meter records differ from those rebuilt from the audit log');
    if (r.brokenRecords > 0) problems.push(`${r.brokenRecords} meter records do not add up`);
    if (r.diffFen !== 0) problems.push(`bills differ from the meter records by ${r.diffFen} fen`);
    if (r.statementDiffFen !== 0)
      problems.push(`statements differ from the meter records by ${r.statementDiffFen} fen`);
    if (r.voucherDiffFen !== 0)
      problems.push(`vouchers and amounts due differ from the charges by ${r.voucherDiffFen} fen`);
    return {
      ok: problems.length === 0,
      period,
      auditEntries: chain.entries,
      chainOk: chain.ok,
      ...r,
      meterDigest,
      rebuiltDigest,
      problems,
    };
  }

  /** Per sector for a period: demand at submission, accelerator-hours used, spend, vouchers redeemed (operators, auditors). */
  async sectors(period: string, actor: Principal): Promise<SectorReport[]> {
    authorize(actor, 'audit.read');
    checkPeriod(period);
    const books = await this.current();
    const network = this.ctx.network();
    const bills = billsOf(books.meters.values(), books.claimed, { period });
    const out = new Map<
      string,
      { tenants: Set<string>; jobs: number; asked: number; used: number; charge: number; voucher: number }
    >();
    const row = (sector: string) => {
      let r = out.get(sector);
      if (!r) {
        r = { tenants: new Set(), jobs: 0, asked: 0, used: 0, charge: 0, voucher: 0 };
        out.set(sector, r);
      }
      return r;
    };
    for (const t of network.tenants) {
      const d = books.demand(period, t.id);
      if (d.jobs === 0) continue;
      const r = row(t.sector);
      r.tenants.add(t.id);
      r.jobs += d.jobs;
      r.asked += d.acceleratorHours;
    }
    for (const b of bills) {
      const r = row(b.sector);
      r.tenants.add(b.tenant);
      r.used += b.acceleratorHours;
      r.charge += b.chargeFen;
      r.voucher += b.voucherFen;
    }
    return [...out.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([sector, r]) => ({
        sector,
        period,
        tenants: r.tenants.size,
        jobsSubmitted: r.jobs,
        askedAcceleratorHours: Math.round(r.asked * 100) / 100,
        usedAcceleratorHours: Math.round(r.used * 100) / 100,
        chargeFen: r.charge,
        voucherFen: r.voucher,
        programmes: (network.programmes ?? []).filter((p) => p.sectors.includes(sector as Sector)).map((p) => p.id),
      }));
  }

  /**
   * Checks on the books and appends what `plan` returns, guarded: when a market entry came in
   * between (another server's write), it reads on and checks again.
   */
  async write(plan: (books: Books) => AuditEvent[]) {
    for (let tries = 0; tries < 5; tries++) {
      // Under this server's lock: its own writers take turns; only another server's can come in between.
      const run = this.lock.then(async () => {
        const books = await this.catchUp();
        const events = plan(books);
        return this.ctx.store.appendAuditGuarded({ kinds: MARKET_KINDS, afterSeq: books.seq }, events);
      });
      this.lock = run.catch(() => undefined);
      const written = await run;
      if (written) return written;
    }
    throw new SuanliError('MARKET_CHANGED', 'the market kept changing while this change was checked; send it again');
  }
}

/** The sites a site operator speaks for; undefined (every site) for anyone else. */
export function sitesOf(network: Network, actor: Principal): ReadonlySet<string> | undefined {
  if (actor.role !== 'site-operator') return undefined;
  return new Set(
    network.sites.filter((s) => s.operator !== undefined && s.operator === actor.operator).map((s) => s.id),
  );
}

/**
 * Reads the log from the books' next entry into them (up to `untilSeq` when given), verifying the
 * hash chain when asked (then from the first entry).
 */
async function readInto(
  books: Books,
  ctx: UseCaseContext,
  untilSeq = Number.POSITIVE_INFINITY,
  verifyChain = false,
): Promise<{ ok: boolean; entries: number; problem?: string }> {
  let prevHash = GENESIS_HASH;
  let from = books.seq + 1;
  let entries = 0;
  for (;;) {
    const page = await ctx.store.listAudit(from, 5000);
    if (page.length === 0) break;
    for (const e of page) {
      if (e.seq > untilSeq) return { ok: true, entries };
      if (verifyChain) {
        if (e.prevHash !== prevHash || auditHash(prevHash, e.seq, e) !== e.hash) {
          return { ok: false, entries, problem: `entry ${e.seq} does not verify` };
        }
        prevHash = e.hash;
      }
      books.apply(e);
      entries++;
    }
    from = (page[page.length - 1]?.seq ?? from) + 1;
  }
  return { ok: true, entries };
}
