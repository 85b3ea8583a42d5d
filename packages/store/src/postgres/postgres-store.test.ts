import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { storeContract } from '../store.contract.ts';
import { openPostgresStore } from './postgres-store.ts';

// Tests take their database from SUANLI_TEST_DATABASE_URL (so a DATABASE_URL meant for a server is never wiped), else DATABASE_URL.
const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];

describe.skipIf(!url)('on PostgreSQL (needs DATABASE_URL: ../shared/scripts/postgres-up.sh; .ci/run starts it)', () => {
  let schema = '';
  storeContract('postgresql', {
    open: () => {
      schema = `t_${randomBytes(6).toString('hex')}`;
      return openPostgresStore(url as string, { schema });
    },
    reopen: () => openPostgresStore(url as string, { schema }),
  });
});
