import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogKey } from '@suanli/service';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN_FILE, startServer } from './main.ts';

/** The data folder holds the store, the audit log's signing key and an operator token: its user's only. */

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const FILES = ['suanli.db', 'suanli.db-wal', 'suanli.db-shm', 'audit-ed25519.pem', OPERATOR_TOKEN_FILE];

function capture() {
  const lines: { msg: string; mode?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { lines, logger };
}

describe('the data folder of a real server', () => {
  it('is 0700 and its files 0600: the store, its -wal and -shm, the log key, the operator token', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'suanli-modes-')), 'nested', 'data');
    const { lines, logger } = capture();
    const server = await startServer({ port: 0, dataDir, policyFile: false, logger });
    try {
      expect(mode(dataDir)).toBe('700');
      for (const f of FILES) {
        expect(existsSync(join(dataDir, f)), f).toBe(true);
        expect(mode(join(dataDir, f)), f).toBe('600');
      }
      expect(lines).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('closes the files of an older folder (made 0644) to others, and warns of the folder itself', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'suanli-modes-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'audit-ed25519.pem'), generateLogKey().pem, { mode: 0o644 });
    writeFileSync(join(dataDir, OPERATOR_TOKEN_FILE), 'sl_stale\n', { mode: 0o644 });
    writeFileSync(join(dataDir, 'suanli.db'), '', { mode: 0o644 });
    for (const f of ['audit-ed25519.pem', OPERATOR_TOKEN_FILE, 'suanli.db']) chmodSync(join(dataDir, f), 0o644);
    const { lines, logger } = capture();
    const server = await startServer({ port: 0, dataDir, policyFile: false, logger });
    try {
      for (const f of FILES) expect(mode(join(dataDir, f)), f).toBe('600');
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'the data folder is open to others: chmod 700 it', mode: '755' }),
      );
      expect(mode(dataDir)).toBe('755'); // a folder given is the user's to change: warned, not changed
    } finally {
      await server.close();
    }
  });
});
