import type { JobKind } from './job.ts';
import type { Sector } from './tenant.ts';

/** A company that runs sites and sells their accelerator-hours (a provider, in ITU-T Y.2504's roles). */
export interface SiteOperator {
  readonly id: string;
  readonly name: string;
  /** Unified social credit code of the operating company. */
  readonly legalEntity?: string;
  /** Legal entities related to the operator (shareholders, subsidiaries): a voucher may not pay them. */
  readonly relatedEntities?: readonly string[];
}

/**
 * A sector programme (AI+): the sectors and job kinds it supports, how much it raises their fair
 * share, and the voucher budget it may issue from, for a period.
 */
export interface Programme {
  readonly id: string;
  readonly name: string;
  readonly sectors: readonly Sector[];
  readonly kinds: readonly JobKind[];
  /** Multiplies the share weight of tenants in its sectors (1 = no boost). */
  readonly shareBoost: number;
  /** Vouchers it may issue in all, integer fen. */
  readonly budgetFen: number;
  readonly validFromS: number;
  readonly validToS: number;
}

/** A tenant's share weight with every programme for its sector applied. */
export function boostedWeight(weight: number, sector: Sector, programmes: readonly Programme[]): number {
  let w = weight;
  for (const p of programmes) if (p.sectors.includes(sector)) w *= p.shareBoost;
  return w;
}
