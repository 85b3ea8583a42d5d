import type { Generated } from 'kysely';

/** Tables as Kysely sees them. JSON columns hold text; the store maps rows at its edge. */
export interface Database {
  jobs: JobsTable;
  audit: AuditTable;
  model_audits: ModelAuditsTable;
  tokens: TokensTable;
}

export interface ModelAuditsTable {
  /** `<at_s, zero-padded>-<random>`: sorts by time on every database. */
  id: string;
  model_id: string;
  at_s: number;
  /** The FairnessAudit and its report, as JSON. */
  record: string;
}

export interface TokensTable {
  /** SHA-256 of the token: the token itself is never stored. */
  token_hash: string;
  name: string;
  role: string;
  tenant: string | null;
  created_at_s: number;
}

export interface JobsTable {
  id: string;
  state: string;
  tenant: string;
  submitted_at_s: number;
  updated_at_s: number;
  /** The rest of the JobRecord (spec, placement, explanation, backend fields) as JSON. */
  record: string;
}

export interface AuditTable {
  seq: Generated<number>;
  at_s: number;
  kind: string;
  subject: string;
  /** Canonical JSON of the event data. */
  data: string;
  prev_hash: string;
  hash: string;
}
