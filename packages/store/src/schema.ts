import type { Generated } from 'kysely';

/** Tables as Kysely sees them. JSON columns hold text; the store maps rows at its edge. */
export interface Database {
  jobs: JobsTable;
  audit: AuditTable;
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
