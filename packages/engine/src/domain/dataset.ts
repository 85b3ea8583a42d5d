/** Classification of data under the Data Security Law and GB/T 43697-2024: general, important, core. */
export type DataLevel = 'general' | 'important' | 'core';

export const DATA_LEVELS: readonly DataLevel[] = ['general', 'important', 'core'];

/** Personal information a data set holds (PIPL): none, personal, or sensitive personal information. */
export type PersonalInfo = 'none' | 'pi' | 'sensitive';

export const PERSONAL_INFO: readonly PersonalInfo[] = ['none', 'pi', 'sensitive'];

/** A data set and the sites that hold a replica of it, with what governance rules need to know of it. */
export interface Dataset {
  readonly name: string;
  readonly sizeGb: number;
  readonly replicas: readonly string[];
  /** Classification; rules that need it deny a data set without one (fail closed). */
  readonly level?: DataLevel;
  readonly pi?: PersonalInfo;
  /** Distinct individuals whose personal information it holds. */
  readonly individuals?: number;
  /** Of those, individuals with sensitive personal information. */
  readonly sensitiveIndividuals?: number;
  /** Sector tags that sector rules key on: `health-population`, `hgr`, `automotive`, `finance`, … */
  readonly tags?: readonly string[];
  /** The tenant that owns it. */
  readonly owner?: string;
  /** SHA-256 of its content: rules and counters key on it, never on the name. */
  readonly checksum?: string;
  /** A quality record: how and when it was checked. */
  readonly quality?: string;
}
