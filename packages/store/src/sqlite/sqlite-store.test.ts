import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../store.contract.ts';
import { openSqliteStore } from './sqlite-store.ts';

let path = '';
storeContract('sqlite (a real file)', {
  open: () => {
    path = join(mkdtempSync(join(tmpdir(), 'suanli-store-')), 'suanli.db');
    return openSqliteStore(path);
  },
  reopen: () => openSqliteStore(path),
});
