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
}
