import type { Kysely, Migration } from 'kysely';

/**
 * The job list (`GET /v1/jobs`, newest first, a page at a time) reads the newest entries of this
 * index instead of sorting the whole table; a tenant's or a state's list has its own (0001).
 */
export const jobsByTime: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('jobs_submitted').on('jobs').columns(['submitted_at_s', 'id']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('jobs_submitted').execute();
  },
};
