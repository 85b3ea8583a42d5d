import type { Sector } from './tenant.ts';

export type ModelKind = 'generative' | 'deep-synthesis' | 'recommendation' | 'decision' | 'other';

export const MODEL_KINDS: readonly ModelKind[] = [
  'generative',
  'deep-synthesis',
  'recommendation',
  'decision',
  'other',
];

/** A fairness audit of a model version, as stored with the model (docs/design/governance.md). */
export interface FairnessAudit {
  /** The sector the audit was run for. */
  readonly sector: Sector;
  /** The weights digest audited: an audit of other weights does not count. */
  readonly weightsDigest: string;
  readonly atS: number;
  readonly passed: boolean;
  readonly demographicParityDifference: number;
  readonly equalizedOddsDifference: number;
  readonly disparateImpactRatio: number;
}

/**
 * A model in the registry. Its identity is the digest of its weights: a filing is bound to the
 * digest it was filed with, so weights changed after filing (fine-tune, merge, swap) are unfiled.
 */
export interface Model {
  readonly id: string;
  readonly name: string;
  readonly kind: ModelKind;
  readonly owner: string;
  /** SHA-256 of the weights now registered under this id. */
  readonly weightsDigest: string;
  /** The digest the filings below were granted for. */
  readonly filedWeightsDigest?: string;
  /** Algorithm filing (算法备案) number. */
  readonly algorithmFilingNo?: string;
  /** Generative AI service filing (大模型备案) number. */
  readonly genaiFilingNo?: string;
  /** Registration (登记) number, for a service that only calls a filed upstream model. */
  readonly registrationNo?: string;
  /** The filing number of that upstream model. */
  readonly upstreamFilingNo?: string;
  /** Sectors it may serve. */
  readonly sectors: readonly Sector[];
  readonly audits: readonly FairnessAudit[];
}
