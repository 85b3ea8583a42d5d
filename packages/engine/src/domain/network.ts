import type { AcceleratorSpec } from './accelerator.ts';
import type { Dataset } from './dataset.ts';
import type { Programme, SiteOperator } from './market.ts';
import type { Model } from './model.ts';
import type { PowerRegion } from './power.ts';
import type { ClusterQueue } from './queue.ts';
import type { Site } from './site.ts';
import type { Tenant } from './tenant.ts';

/** An explicit link between two sites; pairs without one use the network's link model. */
export interface Link {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
  readonly bandwidthGbps: number;
  readonly priceCnyPerGb: number;
}

/**
 * How links between sites that have no explicit `Link` are estimated: one-way latency is
 * great-circle distance × 4.897 µs/km (light in fibre) × `routeFactor`, at least `minLatencyMs`.
 */
export interface LinkModel {
  readonly routeFactor: number;
  readonly minLatencyMs: number;
  readonly bandwidthGbps: number;
  readonly priceCnyPerGb: number;
}

/**
 * Everything the engine knows about the world it schedules in: sites with their pools and power,
 * links, datasets and tenants. Plain data, serialisable as JSON.
 */
export interface Network {
  readonly name: string;
  readonly accelerators: readonly AcceleratorSpec[];
  readonly sites: readonly Site[];
  readonly links: readonly Link[];
  readonly linkModel: LinkModel;
  readonly datasets: readonly Dataset[];
  /** Known tenants; when empty, any tenant name is accepted. */
  readonly tenants: readonly Tenant[];
  /** Quotas; tenants name theirs. */
  readonly clusterQueues: readonly ClusterQueue[];
  /** Names of priorities job specs may use (`priorityClass: high`), as in Kueue. */
  readonly priorityClasses: Readonly<Record<string, number>>;
  /** The model registry. */
  readonly models?: readonly Model[];
  /** Approvals that governance rules require (security assessments, contracts, filings). */
  readonly approvals?: readonly Approval[];
  /** The companies that run sites (sites name theirs). */
  readonly operators?: readonly SiteOperator[];
  /** Sector programmes (AI+): share boosts and voucher budgets. */
  readonly programmes?: readonly Programme[];
  /** Grid regions with a power budget shared by their sites. */
  readonly regions?: readonly PowerRegion[];
}

export type ApprovalType =
  | 'cbdt-security-assessment'
  | 'scc-filing'
  | 'pi-certification'
  | 'gba-scc'
  | 'hgr-filing'
  | 'ethics-approval'
  | 'pia';

export const APPROVAL_TYPES: readonly ApprovalType[] = [
  'cbdt-security-assessment',
  'scc-filing',
  'pi-certification',
  'gba-scc',
  'hgr-filing',
  'ethics-approval',
  'pia',
];

/** An approval held by a legal entity, scoped to data sets (by checksum) and valid for a period. */
export interface Approval {
  readonly id: string;
  readonly type: ApprovalType;
  readonly legalEntity: string;
  /** Checksums of the data sets it covers; all of the entity's when absent. */
  readonly datasets?: readonly string[];
  /** Jurisdictions data may go to under it. */
  readonly to?: readonly string[];
  readonly validFromS: number;
  readonly validToS: number;
  /** SHA-256 of the evidence document. */
  readonly evidenceDigest?: string;
}
