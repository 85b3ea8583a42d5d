import type { Kysely, Migration } from 'kysely';

/** A site operator's token names the operator (of the network file) whose sites it speaks for. */
export const siteOperators: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('operator', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').dropColumn('operator').execute();
  },
};
