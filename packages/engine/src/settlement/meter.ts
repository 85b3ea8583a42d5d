/**
 * A meter record per job attempt: what it used (accelerator-seconds by pool, energy, carbon, data
 * moved per link) and what that costs at the prices in force, in integer fen. Pure and exact: the
 * same attempt and price book give the same record, byte for byte (docs/design/settlement.md).
 */

import { linkKey } from '../domain/health.ts';
import type { JobKind } from '../domain/job.ts';
import type { PreparedNetwork } from '../framework/prepared-network.ts';
import { itPowerKw } from '../models/energy.ts';
import { meanOver } from '../models/hourly-profile.ts';
import type { Attempt, AttemptOutcome } from './attempts.ts';
import { periodOf } from './period.ts';
import { type ComputeCharge, computeCharges, inForce, type PriceBook, toFen } from './prices.ts';

/** Data moved for an attempt over one link, and its charge. */
export interface TransferCharge {
  readonly fromSiteId: string;
  readonly toSiteId: string;
  readonly gb: number;
  /** The link price's version (0: the network file's, or the link model's). */
  readonly version: number;
  readonly fenPerGb: number;
  readonly fen: number;
}

export interface MeterRecord {
  /** `JOB#ATTEMPT`: one record per attempt. */
  readonly id: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly tenant: string;
  /** The tenant's sector (`unknown` for a tenant the network does not list). */
  readonly sector: string;
  readonly kind: JobKind;
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  readonly startS: number;
  readonly endS: number;
  /** The billing period it falls in: the month (Beijing time) it ended. */
  readonly period: string;
  readonly outcome: AttemptOutcome;
  readonly failureClass?: string;
  /** Seconds of work, and accelerator-seconds (work × accelerators). */
  readonly workS: number;
  readonly acceleratorS: number;
  /** Compute, per pool price version in force during the run. */
  readonly compute: readonly ComputeCharge[];
  /** Facility energy (IT × PUE) by the energy model, kWh to the Wh. */
  readonly energyKwh: number;
  /** Mean site tariff over the run's hours. */
  readonly tariffCnyPerKwh: number;
  /** Location-based emissions over the run's hours, kg to the gram; the signal says which grid figure. */
  readonly carbonKg: number;
  readonly carbonSignal: 'hourly-grid' | 'annual-grid';
  readonly transfers: readonly TransferCharge[];
  /** Bought on the market: compute at this price (its compute part has version −1). */
  readonly market?: { readonly kind: 'spot' | 'contract'; readonly id?: string };
  /** A contract's SLA missed: the penalty credited to the tenant (and paid by the provider). */
  readonly slaCreditFen?: number;
  /** Why it was credited. */
  readonly slaMissed?: string;
  readonly computeFen: number;
  readonly energyFen: number;
  readonly transferFen: number;
  readonly totalFen: number;
  /** The audit entry that ended the attempt. */
  readonly endSeq: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Meters one attempt at the prices of `book`, on the network it ran on. */
export function meter(a: Attempt, net: PreparedNetwork, book: PriceBook): MeterRecord {
  const pool = net.poolById.get(a.poolId);
  const site = net.siteById.get(a.siteId) ?? pool?.site;
  const workS = Math.max(0, a.workS);
  // The work's own time line: from its start, for as long as it worked (a fast simulated backend does hours in minutes).
  const fromS = a.startS;
  const toS = a.startS + workS;
  const versions = book.pools.get(a.poolId) ?? [];
  const compute = a.market
    ? [
        {
          version: -1,
          fenPerAcceleratorHour: a.market.fenPerAcceleratorHour,
          acceleratorS: a.count * workS,
          fen: Math.round((a.count * workS * a.market.fenPerAcceleratorHour) / 3600),
        },
      ]
    : computeCharges(versions, a.count, fromS, toS, site?.site.utcOffsetH ?? 8);
  const sla = slaOf(a);
  const spec = pool?.spec ?? net.accelerators.get(a.accelerator);
  const pue = site?.site.pue ?? 1;
  const energyKwh = spec ? round3(itPowerKw(spec, a.kind, a.count) * pue * (workS / 3600)) : 0;
  const tariff = site ? meanOver(site.tariff, fromS, toS) : 0;
  const carbonFactor = site ? meanOver(site.carbon, fromS, toS) : 0;
  const transfers: TransferCharge[] = [];
  for (const t of a.transfers) {
    const key = linkKey(t.fromSiteId, a.siteId);
    const v = inForce(book.links.get(key) ?? [], fromS);
    const fenPerGb = v ? v.fenPerGb : toFen(net.network.linkModel.priceCnyPerGb);
    transfers.push({
      fromSiteId: t.fromSiteId,
      toSiteId: a.siteId,
      gb: t.gb,
      version: v?.version ?? 0,
      fenPerGb,
      fen: Math.round(t.gb * fenPerGb),
    });
  }
  const computeFen = compute.reduce((n, c) => n + c.fen, 0);
  const energyFen = Math.round(energyKwh * tariff * 100);
  const transferFen = transfers.reduce((n, t) => n + t.fen, 0);
  return {
    id: `${a.jobId}#${a.attempt}`,
    jobId: a.jobId,
    attempt: a.attempt,
    tenant: a.tenant,
    sector: net.tenants.get(a.tenant)?.sector ?? 'unknown',
    kind: a.kind,
    siteId: a.siteId,
    poolId: a.poolId,
    accelerator: a.accelerator,
    count: a.count,
    startS: a.startS,
    endS: a.endS,
    period: periodOf(a.endS),
    outcome: a.outcome,
    ...(a.failureClass !== undefined ? { failureClass: a.failureClass } : {}),
    workS: Math.round(workS),
    acceleratorS: Math.round(a.count * workS),
    compute,
    energyKwh,
    tariffCnyPerKwh: Math.round(tariff * 10000) / 10000,
    carbonKg: round3(energyKwh * carbonFactor),
    carbonSignal: site?.site.carbonKgPerKwhByHour ? 'hourly-grid' : 'annual-grid',
    transfers,
    ...(a.market ? { market: { kind: a.market.kind, ...(a.market.id !== undefined ? { id: a.market.id } : {}) } } : {}),
    ...(sla ? { slaCreditFen: sla.fen, slaMissed: sla.why } : {}),
    computeFen,
    energyFen,
    transferFen,
    totalFen: computeFen + energyFen + transferFen,
    endSeq: a.endSeq,
  };
}

/** A contract's start promise missed by the attempt (its job's first run that started), and the penalty. */
function slaOf(a: Attempt): { readonly fen: number; readonly why: string } | undefined {
  const m = a.market;
  if (!m || m.startWithinS === undefined || !a.firstRun) return undefined;
  const from = Math.max(a.submittedAtS, m.windowFromS ?? a.submittedAtS);
  const waitS = a.startS - from;
  if (waitS <= m.startWithinS) return undefined;
  return {
    fen: m.penaltyFen ?? 0,
    why: `contract ${m.id ?? ''} promised a start within ${m.startWithinS} s; it started after ${Math.round(waitS)} s`,
  };
}
