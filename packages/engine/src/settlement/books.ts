/**
 * The books: everything settlement knows, folded from the audit log in order — the price book,
 * a meter record per finished attempt, vouchers and what they paid. The live service folds its
 * log into one; `bills verify` folds the whole log again into a fresh one and compares; the
 * simulator feeds one the same entries its runs make.
 */

import type { PreparedNetwork } from '../framework/prepared-network.ts';
import { AttemptFold, type LogEvent } from './attempts.ts';
import type { Contract, Offer } from './market.ts';
import { type MeterRecord, meter } from './meter.ts';
import { periodOf } from './period.ts';
import { basePriceBook, type PriceBook, type PriceChange, withPrice } from './prices.ts';
import type { Voucher } from './vouchers.ts';

/** Audit entry kinds the books' own checks depend on (a write re-checks when one came in between). */
export const MARKET_KINDS = [
  'price.set',
  'voucher.issued',
  'voucher.redeemed',
  'voucher.written-off',
  'offer.published',
  'offer.withdrawn',
  'contract.made',
] as const;

/** What a `price.set` entry's data holds: the change as it was accepted. */
export type PriceSetData = PriceChange;

/** A redemption as its audit entry keeps it: what each bill line took from the voucher. */
export interface RedeemedLine {
  readonly meterId: string;
  readonly fen: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Accelerators of a job's first choice, from `job.submitted`'s `accelerators` (`H100:8`) and gang. */
function firstChoiceCount(d: { readonly accelerators?: unknown; readonly gang?: unknown }): number {
  const first = Array.isArray(d.accelerators) ? d.accelerators[0] : undefined;
  const per = typeof first === 'string' ? Number(first.slice(first.lastIndexOf(':') + 1)) : 0;
  return (Number.isFinite(per) ? per : 0) * Math.max(1, num(d.gang));
}

export class Books {
  /** The last audit entry folded in. */
  seq = 0;
  private readonly net: PreparedNetwork;
  private readonly fold = new AttemptFold();
  private bookNow: PriceBook;
  private readonly meterById = new Map<string, MeterRecord>();
  private readonly voucherById = new Map<string, Voucher>();
  private readonly issued = new Map<string, number>();
  /** Fen paid by vouchers per meter record. */
  readonly claimed = new Map<string, number>();
  /** Accelerator-hours asked for at submission (first choice × gang × estimate), and jobs, per `period tenant`. */
  private readonly asked = new Map<string, { jobs: number; acceleratorHours: number }>();
  private readonly offerById = new Map<string, Offer>();
  private readonly contractById = new Map<string, Contract>();

  constructor(net: PreparedNetwork) {
    this.net = net;
    this.bookNow = basePriceBook(net.network);
  }

  get prices(): PriceBook {
    return this.bookNow;
  }

  get meters(): ReadonlyMap<string, MeterRecord> {
    return this.meterById;
  }

  get vouchers(): ReadonlyMap<string, Voucher> {
    return this.voucherById;
  }

  get offers(): ReadonlyMap<string, Offer> {
    return this.offerById;
  }

  get contracts(): ReadonlyMap<string, Contract> {
    return this.contractById;
  }

  /** Demand per period and tenant: jobs submitted and the accelerator-hours they asked for. */
  demand(period: string, tenant: string): { readonly jobs: number; readonly acceleratorHours: number } {
    return this.asked.get(`${period} ${tenant}`) ?? { jobs: 0, acceleratorHours: 0 };
  }

  /** Fen issued by a programme so far. */
  issuedFen(programmeId: string): number {
    return this.issued.get(programmeId) ?? 0;
  }

  /** Folds in one audit entry (entries must come in log order). */
  apply(e: LogEvent): void {
    this.seq = e.seq;
    const d = e.data as Record<string, unknown> & {
      readonly programmeId?: unknown;
      readonly tenant?: unknown;
      readonly amountFen?: unknown;
      readonly expiresAtS?: unknown;
      readonly lines?: unknown;
    };
    switch (e.kind) {
      case 'price.set':
        this.bookNow = withPrice(this.bookNow, d as unknown as PriceChange);
        return;
      case 'voucher.issued': {
        const programmeId = String(d.programmeId);
        const amountFen = num(d.amountFen);
        this.voucherById.set(e.subject, {
          id: e.subject,
          programmeId,
          tenant: String(d.tenant),
          amountFen,
          issuedAtS: e.atS,
          expiresAtS: num(d.expiresAtS),
          redeemedFen: 0,
          writtenOffFen: 0,
        });
        this.issued.set(programmeId, this.issuedFen(programmeId) + amountFen);
        return;
      }
      case 'voucher.redeemed': {
        const v = this.voucherById.get(e.subject);
        const lines = Array.isArray(d.lines) ? (d.lines as RedeemedLine[]) : [];
        let total = 0;
        for (const l of lines) {
          this.claimed.set(l.meterId, (this.claimed.get(l.meterId) ?? 0) + num(l.fen));
          total += num(l.fen);
        }
        if (v) this.voucherById.set(v.id, { ...v, redeemedFen: v.redeemedFen + total });
        return;
      }
      case 'offer.published':
        this.offerById.set(e.subject, { ...(d as unknown as Offer), id: e.subject, publishedAtS: e.atS });
        return;
      case 'offer.withdrawn': {
        const o = this.offerById.get(e.subject);
        if (o) this.offerById.set(o.id, { ...o, withdrawnAtS: e.atS });
        return;
      }
      case 'contract.made':
        this.contractById.set(e.subject, { ...(d as unknown as Contract), id: e.subject, madeAtS: e.atS });
        return;
      case 'voucher.written-off': {
        const v = this.voucherById.get(e.subject);
        if (v) this.voucherById.set(v.id, { ...v, writtenOffFen: v.writtenOffFen + num(d.amountFen) });
        return;
      }
      default: {
        if (e.kind === 'job.submitted') this.ask(e);
        const a = this.fold.apply(e);
        if (a) {
          const m = meter(a, this.net, this.bookNow);
          this.meterById.set(m.id, m);
        }
      }
    }
  }

  private ask(e: LogEvent): void {
    const d = e.data as {
      readonly tenant?: unknown;
      readonly accelerators?: unknown;
      readonly gang?: unknown;
      readonly durationS?: unknown;
    };
    if (typeof d.tenant !== 'string') return;
    const key = `${periodOf(e.atS)} ${d.tenant}`;
    const x = this.asked.get(key) ?? { jobs: 0, acceleratorHours: 0 };
    x.jobs++;
    x.acceleratorHours += (firstChoiceCount(d) * num(d.durationS)) / 3600;
    this.asked.set(key, x);
  }
}
