import type { Generated } from 'kysely';

/** Tables as Kysely sees them. JSON columns hold text; the store maps rows at its edge. */
export interface Database {
  jobs: JobsTable;
  audit: AuditTable;
  model_audits: ModelAuditsTable;
  tokens: TokensTable;
  grants: GrantsTable;
  history: HistoryTable;
}

/** One sample of the network's or a site's history (migration 0006); times are whole seconds. */
export interface HistoryTable {
  /** `network`, or `site:<id>`. */
  scope: string;
  /** 60 for a sample of a minute, 900 once compacted. */
  step_s: number | string;
  at_s: number | string;
  accelerators: number;
  busy: number;
  queued: number;
  running: number;
  power_kw: number;
  cost_fen_per_hour: number;
  carbon_kg_per_hour: number;
  green_kw: number;
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
  /** The operator a site-operator token speaks for (migration 0007). */
  operator: string | null;
  created_at_s: number;
  expires_at_s: number | null;
  revoked_at_s: number | null;
}

export interface GrantsTable {
  id: string;
  /** `model` or `dataset`. */
  resource_kind: string;
  /** The model's id or the data set's name in the catalog. */
  resource: string;
  /** The tenant that owns the resource and gave the grant. */
  owner: string;
  /** The tenant that may use it. */
  grantee: string;
  created_at_s: number;
  /** The token name that gave it. */
  created_by: string;
  revoked_at_s: number | null;
}

export interface JobsTable {
  id: string;
  state: string;
  tenant: string;
  submitted_at_s: number;
  updated_at_s: number;
  /** Mirrors of the record's attainedS and doneS (migration 0004). */
  attained_s: number;
  done_s: number;
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
