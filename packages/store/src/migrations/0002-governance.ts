import type { Kysely, Migration } from 'kysely';

/** Fairness audits of models and API tokens (hashed). */
export const governance: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('model_audits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('at_s', 'double precision', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('model_audits_model').on('model_audits').columns(['model_id', 'at_s']).execute();
    await db.schema
      .createTable('tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('tenant', 'text')
      .addColumn('created_at_s', 'double precision', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('tokens').execute();
    await db.schema.dropTable('model_audits').execute();
  },
};
