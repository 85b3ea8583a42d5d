import type { Migration, MigrationProvider } from 'kysely';
import { init } from './0001-init.ts';
import { governance } from './0002-governance.ts';
import { access } from './0003-access.ts';
import { progress } from './0004-progress.ts';
import { jobsByTime } from './0005-jobs-by-time.ts';
import { history } from './0006-history.ts';
import { siteOperators } from './0007-site-operators.ts';

/** Every migration, in order. Names sort in the order they run. */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-init': init,
  '0002-governance': governance,
  '0003-access': access,
  '0004-progress': progress,
  '0005-jobs-by-time': jobsByTime,
  '0006-history': history,
  '0007-site-operators': siteOperators,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
