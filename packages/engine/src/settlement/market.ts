/**
 * The market, in the spirit of ITU-T Y.2504's roles: providers (site operators) publish offers of
 * a pool's accelerators for a window at a price, spot (preemptible, cheapest first) or reserved;
 * a tenant buys from a reserved offer a contract with its SLA. Jobs name `market: spot` or a
 * contract; placement then sees only the pools bought and prices them at the market price.
 */

import type { MarketTerms } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import { MAX_PRICE_FEN, validPrice } from './prices.ts';

export const OFFER_KINDS = ['spot', 'reserved'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

/** What a contract promises, and what the provider pays when it misses it. */
export interface Sla {
  /** A job on the contract starts within this many seconds of its submission (or of the window's start). */
  readonly startWithinS?: number;
  /** Credited to the tenant's bill per job that missed it. */
  readonly penaltyFen: number;
}

export interface Offer {
  readonly id: string;
  readonly kind: OfferKind;
  readonly poolId: string;
  readonly siteId: string;
  /** Accelerators offered. */
  readonly count: number;
  readonly fromS: number;
  readonly toS: number;
  readonly fenPerAcceleratorHour: number;
  readonly sla?: Sla;
  readonly publishedAtS: number;
  readonly withdrawnAtS?: number;
}

export interface Contract {
  readonly id: string;
  readonly offerId: string;
  readonly tenant: string;
  readonly poolId: string;
  readonly siteId: string;
  readonly count: number;
  readonly fromS: number;
  readonly toS: number;
  readonly fenPerAcceleratorHour: number;
  readonly sla?: Sla;
  readonly madeAtS: number;
}

/** An offer is open from its start (or publication) to its end, unless withdrawn. */
export function offerOpen(o: Offer, atS: number): boolean {
  return o.withdrawnAtS === undefined && atS < o.toS && atS >= Math.min(o.fromS, o.publishedAtS);
}

/** Why an offer cannot be published, or undefined. */
export function checkOffer(
  network: Network,
  o: Omit<Offer, 'id' | 'siteId' | 'publishedAtS'>,
  nowS: number,
): { readonly field: string; readonly reason: string } | undefined {
  const pool = network.sites.flatMap((s) => s.pools).find((p) => p.id === o.poolId);
  if (!pool) return { field: 'poolId', reason: `no pool ${o.poolId} in the network` };
  if (!Number.isSafeInteger(o.count) || o.count < 1 || o.count > pool.count) {
    return { field: 'count', reason: `offer 1 to ${pool.count} accelerators (the pool's size)` };
  }
  if (!validPrice(o.fenPerAcceleratorHour)) {
    return {
      field: 'fenPerAcceleratorHour',
      reason: `a price is a whole number of fen, 0 to ${MAX_PRICE_FEN} (¥1,000)`,
    };
  }
  if (!(o.toS > o.fromS)) return { field: 'toS', reason: 'the window ends after it starts' };
  if (o.toS <= nowS) return { field: 'toS', reason: 'the window is over already' };
  if (o.kind === 'spot' && o.sla) return { field: 'sla', reason: 'a spot offer is preemptible: it carries no SLA' };
  return undefined;
}

/** Accelerators of a reserved offer already sold in contracts. */
export function soldOf(offerId: string, contracts: Iterable<Contract>): number {
  let n = 0;
  for (const c of contracts) if (c.offerId === offerId) n += c.count;
  return n;
}

/** The spot price of each pool now: the cheapest open spot offer's, in CNY per accelerator-hour. */
export function spotTerms(offers: Iterable<Offer>, atS: number): MarketTerms | undefined {
  const prices: Record<string, number> = {};
  let any = false;
  for (const o of offers) {
    if (o.kind !== 'spot' || !offerOpen(o, atS)) continue;
    const cny = o.fenPerAcceleratorHour / 100;
    const was = prices[o.poolId];
    if (was === undefined || cny < was) prices[o.poolId] = cny;
    any = true;
  }
  return any ? { kind: 'spot', poolPrices: prices } : undefined;
}

/** A contract's terms for the engine: its pool only, at its price. */
export function contractTerms(c: Contract): MarketTerms {
  return { kind: 'contract', id: c.id, poolPrices: { [c.poolId]: c.fenPerAcceleratorHour / 100 } };
}
