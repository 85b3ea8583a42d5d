import type { Kysely, Migration } from 'kysely';

export const init: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('submitted_at_s', 'double precision', (c) => c.notNull())
      .addColumn('updated_at_s', 'double precision', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_state').on('jobs').columns(['state', 'submitted_at_s']).execute();
    await db.schema.createIndex('jobs_tenant').on('jobs').columns(['tenant', 'submitted_at_s']).execute();
    await db.schema
      .createTable('audit')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at_s', 'double precision', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_subject').on('audit').columns(['subject', 'seq']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('audit').execute();
    await db.schema.dropTable('jobs').execute();
  },
};
