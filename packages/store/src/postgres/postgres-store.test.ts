import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { storeContract } from '../store.contract.ts';
import { openPostgresStore } from './postgres-store.ts';

// Tests take their database from SUANLI_TEST_DATABASE_URL (so a DATABASE_URL meant for a server is never wiped), else DATABASE_URL.
const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];

if (url) {
  let schema = '';
  storeContract('postgresql (DATABASE_URL)', {
    open: () => {
      schema = `t_${randomBytes(6).toString('hex')}`;
      return openPostgresStore(url, { schema });
    },
    reopen: () => openPostgresStore(url, { schema }),
  });
} else {
  describe('Store contract: postgresql', () => {
    it.skip('needs DATABASE_URL (../shared/scripts/postgres-up.sh; .ci/run starts it)', () => {});
  });
}
