import type { Kysely, Migration } from 'kysely';

/**
 * What a job has done, kept with it across preemptions and restarts: the accelerator-seconds of
 * service it attained (least-attained-service policies order by it) and the seconds of its work
 * done (on its first accelerator choice; what is left is its remaining estimate). Mirrors of the
 * record's fields, for queries and reports.
 */
export const progress: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('jobs')
      .addColumn('attained_s', 'double precision', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('jobs')
      .addColumn('done_s', 'double precision', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('jobs').dropColumn('done_s').execute();
    await db.schema.alterTable('jobs').dropColumn('attained_s').execute();
  },
};
