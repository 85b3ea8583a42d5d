import type { Kysely, Migration } from 'kysely';

/**
 * The network's history (`GET /v1/history`): one row per scope (the network, or a site), step and
 * time. The leader writes a row a minute; rows older than two days are compacted into 15-minute
 * means, and those are kept for a year.
 */
export const history: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('history')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('step_s', 'bigint', (c) => c.notNull())
      .addColumn('at_s', 'bigint', (c) => c.notNull())
      .addColumn('accelerators', 'double precision', (c) => c.notNull())
      .addColumn('busy', 'double precision', (c) => c.notNull())
      .addColumn('queued', 'double precision', (c) => c.notNull())
      .addColumn('running', 'double precision', (c) => c.notNull())
      .addColumn('power_kw', 'double precision', (c) => c.notNull())
      .addColumn('cost_fen_per_hour', 'double precision', (c) => c.notNull())
      .addColumn('carbon_kg_per_hour', 'double precision', (c) => c.notNull())
      .addColumn('green_kw', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('history_pk', ['scope', 'at_s', 'step_s'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('history').execute();
  },
};
