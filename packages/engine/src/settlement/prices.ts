/**
 * Price books: what an accelerator-hour of each pool and a GB over each link cost, as versions
 * that apply from a time on. Version 0 of each comes from the network file; a change is a new
 * version from its time (never before the latest one, never in the past), so a run already metered
 * keeps the prices it ran under. Money is in integer fen (1 CNY = 100 fen).
 */

import { linkKey } from '../domain/health.ts';
import type { Network } from '../domain/network.ts';
import { type HourlyProfile, hourlyProfile, meanOver } from '../models/hourly-profile.ts';

/** One version of a pool's price. */
export interface PoolPrice {
  readonly poolId: string;
  readonly version: number;
  readonly fromS: number;
  /** Price of one accelerator-hour, power excluded (energy is billed at the site tariff). */
  readonly fenPerAcceleratorHour: number;
  /**
   * Time of use: the price in each local hour 0..23 as a percentage of `fenPerAcceleratorHour`
   * (peak 120, night 70); flat when absent.
   */
  readonly hourlyPct?: readonly number[];
}

/** One version of a link's transfer price; `link` is the pair's key (`linkKey`: the two site ids in order). */
export interface LinkPrice {
  readonly link: string;
  readonly version: number;
  readonly fromS: number;
  readonly fenPerGb: number;
}

/** Every version of every price, oldest first per pool and per link. */
export interface PriceBook {
  readonly pools: ReadonlyMap<string, readonly PoolPrice[]>;
  readonly links: ReadonlyMap<string, readonly LinkPrice[]>;
}

/** A price change as asked for: a pool's or a link's new price from `fromS` on. */
export type PriceChange =
  | {
      readonly poolId: string;
      readonly fromS: number;
      readonly fenPerAcceleratorHour: number;
      readonly hourlyPct?: readonly number[];
    }
  | { readonly a: string; readonly b: string; readonly fromS: number; readonly fenPerGb: number };

/** The dearest price a book or an offer takes: ¥1,000 an accelerator-hour or a GB (the network file's bound). */
export const MAX_PRICE_FEN = 100_000;
/** The highest time-of-use percentage: charges stay exact in fen (below 2^53) for any accepted run. */
export const MAX_HOURLY_PCT = 300;

export function toFen(cny: number): number {
  return Math.round(cny * 100);
}

/** Version 0 of every pool's and every explicit link's price, from the network file, in force from time 0. */
export function basePriceBook(network: Network): PriceBook {
  const pools = new Map<string, PoolPrice[]>();
  for (const site of network.sites) {
    for (const p of site.pools) {
      pools.set(p.id, [
        { poolId: p.id, version: 0, fromS: 0, fenPerAcceleratorHour: toFen(p.priceCnyPerAcceleratorHour) },
      ]);
    }
  }
  const links = new Map<string, LinkPrice[]>();
  for (const l of network.links) {
    const link = linkKey(l.a, l.b);
    links.set(link, [{ link, version: 0, fromS: 0, fenPerGb: toFen(l.priceCnyPerGb) }]);
  }
  return { pools, links };
}

/**
 * Why a price change cannot be taken, or undefined when it can: an unknown pool, a negative or
 * fractional price, a time-of-use profile that is not 24 hourly percentages, a start in the past or
 * not after the latest version's (versions never overlap).
 */
export function checkPriceChange(
  book: PriceBook,
  network: Network,
  change: PriceChange,
  nowS: number,
): { readonly field: string; readonly reason: string } | undefined {
  if ('poolId' in change) {
    if (!network.sites.some((s) => s.pools.some((p) => p.id === change.poolId))) {
      return { field: 'poolId', reason: `no pool ${change.poolId} in the network` };
    }
    if (!validPrice(change.fenPerAcceleratorHour)) return { field: 'fenPerAcceleratorHour', reason: PRICE_RANGE };
    const pct = change.hourlyPct;
    if (pct && (pct.length !== 24 || pct.some((x) => !Number.isSafeInteger(x) || x < 0 || x > MAX_HOURLY_PCT))) {
      return { field: 'hourlyPct', reason: `a time-of-use profile is 24 whole percentages, 0 to ${MAX_HOURLY_PCT}` };
    }
  } else {
    const ids = new Set(network.sites.map((s) => s.id));
    for (const f of ['a', 'b'] as const) {
      if (!ids.has(change[f])) return { field: f, reason: `no site ${change[f]} in the network` };
    }
    if (change.a === change.b) return { field: 'b', reason: 'a link joins two different sites' };
    if (!validPrice(change.fenPerGb)) return { field: 'fenPerGb', reason: PRICE_RANGE };
  }
  if (change.fromS < nowS) {
    return { field: 'fromS', reason: 'a price applies from now or later: a run already metered keeps its prices' };
  }
  const latest = versionsOf(book, change).at(-1);
  if (latest && change.fromS <= latest.fromS) {
    return {
      field: 'fromS',
      reason: `version ${latest.version} already applies from ${latest.fromS}: a new version must start after it`,
    };
  }
  return undefined;
}

const PRICE_RANGE = `a price is a whole number of fen, 0 to ${MAX_PRICE_FEN} (¥1,000)`;

/** A whole number of fen, 0 to MAX_PRICE_FEN. */
export function validPrice(fen: number): boolean {
  return Number.isSafeInteger(fen) && fen >= 0 && fen <= MAX_PRICE_FEN;
}

function versionsOf(book: PriceBook, change: PriceChange): readonly (PoolPrice | LinkPrice)[] {
  return 'poolId' in change
    ? (book.pools.get(change.poolId) ?? [])
    : (book.links.get(linkKey(change.a, change.b)) ?? []);
}

/** The book with a change added as the next version (checked first with `checkPriceChange`). */
export function withPrice(book: PriceBook, change: PriceChange): PriceBook {
  // A link without a version of its own is priced by the link model: that is its version 0.
  const version = (versionsOf(book, change).at(-1)?.version ?? ('poolId' in change ? -1 : 0)) + 1;
  if ('poolId' in change) {
    const next: PoolPrice = {
      poolId: change.poolId,
      version,
      fromS: change.fromS,
      fenPerAcceleratorHour: change.fenPerAcceleratorHour,
      ...(change.hourlyPct ? { hourlyPct: change.hourlyPct } : {}),
    };
    const pools = new Map(book.pools);
    pools.set(change.poolId, [...(book.pools.get(change.poolId) ?? []), next]);
    return { pools, links: book.links };
  }
  const link = linkKey(change.a, change.b);
  const next: LinkPrice = { link, version, fromS: change.fromS, fenPerGb: change.fenPerGb };
  const links = new Map(book.links);
  links.set(link, [...(book.links.get(link) ?? []), next]);
  return { pools: book.pools, links };
}

/** The version of a pool's (or link's) price in force at `atS`. */
export function inForce<T extends { readonly fromS: number }>(versions: readonly T[], atS: number): T | undefined {
  let found: T | undefined;
  for (const v of versions) {
    if (v.fromS > atS) break;
    found = v;
  }
  return found;
}

/** What running `count` accelerators of a pool over [startS, endS) costs, per price version in force. */
export interface ComputeCharge {
  readonly version: number;
  readonly fenPerAcceleratorHour: number;
  readonly acceleratorS: number;
  readonly fen: number;
}

const profiles = new WeakMap<PoolPrice, HourlyProfile>();

/**
 * The compute charge of `count` accelerators over [startS, endS): one part per price version in
 * force during the span, each with time of use applied in the site's local hours and rounded to
 * the fen once.
 */
export function computeCharges(
  versions: readonly PoolPrice[],
  count: number,
  startS: number,
  endS: number,
  utcOffsetH: number,
): ComputeCharge[] {
  const out: ComputeCharge[] = [];
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i] as PoolPrice;
    const next = versions[i + 1];
    const a = Math.max(startS, v.fromS);
    const b = Math.min(endS, next ? next.fromS : endS);
    if (b <= a) continue;
    const spanS = b - a;
    let factor = 1;
    if (v.hourlyPct) {
      let p = profiles.get(v);
      if (!p) {
        p = hourlyProfile(v.hourlyPct, utcOffsetH);
        profiles.set(v, p);
      }
      factor = meanOver(p, a, b) / 100;
    }
    out.push({
      version: v.version,
      fenPerAcceleratorHour: v.fenPerAcceleratorHour,
      acceleratorS: count * spanS,
      fen: Math.round((count * spanS * v.fenPerAcceleratorHour * factor) / 3600),
    });
  }
  return out;
}
