/** Sectors tenants belong to; sector rules and shares key on them. */
export const SECTORS = [
  'internet',
  'manufacturing',
  'finance',
  'healthcare',
  'agriculture',
  'public-services',
  'research',
  'energy',
  'transport',
] as const;

export type Sector = (typeof SECTORS)[number];

/** An organisation that submits jobs: an AI team of a company or lab. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly sector: Sector;
  /** Relative weight in fair sharing (1 = an equal share). */
  readonly shareWeight: number;
  /** The cluster queue its local queue points to; no quota applies when absent. */
  readonly clusterQueue?: string;
  /**
   * The legal entity (unified social credit code) behind the tenant. Cross-border counters add up
   * per legal entity, across all its tenants: splitting a transfer over sub-accounts does not help.
   */
  readonly legalEntity?: string;
  /** A critical information infrastructure operator (stricter export rules). */
  readonly ciio?: boolean;
  /** Controlled from outside the mainland (human genetic resources rules). */
  readonly foreignControlled?: boolean;
}
