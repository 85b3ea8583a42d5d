import type { Kysely, Migration } from 'kysely';

/** Tokens that expire or are revoked, and grants of a tenant's models and data sets to another. */
export const access: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('expires_at_s', 'double precision').execute();
    await db.schema.alterTable('tokens').addColumn('revoked_at_s', 'double precision').execute();
    await db.schema
      .createTable('grants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('resource_kind', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('grantee', 'text', (c) => c.notNull())
      .addColumn('created_at_s', 'double precision', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('revoked_at_s', 'double precision')
      .execute();
    await db.schema
      .createIndex('grants_grantee')
      .on('grants')
      .columns(['grantee', 'resource_kind', 'resource'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('grants').execute();
    await db.schema.alterTable('tokens').dropColumn('revoked_at_s').execute();
    await db.schema.alterTable('tokens').dropColumn('expires_at_s').execute();
  },
};
