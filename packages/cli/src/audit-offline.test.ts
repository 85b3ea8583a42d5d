import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { type AuditEntry, generateLogKey, LOG_KEY_KIND } from '@suanli/service';
import { openSqliteStore } from '@suanli/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyData, flipAuditLeaf, flipBytes, garbleData, rehashLog, rekeyLog, truncateLog } from './audit.fixture.ts';
import type { WitnessFile } from './audit-witness.ts';
import { cliWith } from './cli.fixture.ts';

/**
 * `suanli audit verify --data DIR` on copies of a real server's data folder, edited behind its
 * back: the key file, the log, the SQLite bytes; with the heads pinned on this machine, with a
 * witness file (local and over HTTP), and with neither.
 */

const dir = mkdtempSync(join(tmpdir(), 'suanli-audit-offline-'));
const data = join(dir, 'data');
const witnessFile = join(dir, 'witness.json');
const silent = pino({ level: 'silent' });
let server: RunningServer;
let url = '';
const env: Record<string, string | undefined> = { SUANLI_HOME: join(dir, 'home') };
const cli = cliWith(() => env);
/** The same CLI on a machine that pinned nothing. */
const stranger = cliWith(() => ({ ...env, SUANLI_HOME: mkdtempSync(join(tmpdir(), 'suanli-stranger-')) }));

let witnessed: WitnessFile;
let http: Server;
let witnessUrl = '';

const serve = (dataDir: string) =>
  startServer({ port: 0, dataDir, speedup: 36000, cycleMs: 50, policyFile: false, logger: silent });

beforeAll(async () => {
  server = await serve(data);
  url = server.url;
  Object.assign(env, { SUANLI_URL: url, SUANLI_TOKEN: server.operatorToken });
  expect((await cli('audit', 'verify')).code).toBe(0); // pins the key and the head
  expect((await cli('audit', 'witness', '--out', witnessFile)).code).toBe(0);
  for (const name of ['a', 'b', 'c', 'd']) {
    expect((await cli('tokens', 'create', '--role', 'auditor', '--name', name)).code).toBe(0);
  }
  expect((await cli('audit', 'witness', '--out', witnessFile)).code).toBe(0);
  expect((await cli('audit', 'verify')).code).toBe(0);
  await server.close();
  witnessed = JSON.parse(readFileSync(witnessFile, 'utf8'));
  http = createServer((req, res) => {
    if (req.url !== '/witness.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(witnessFile));
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  witnessUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/witness.json`;
}, 60_000);

afterAll(async () => {
  await new Promise((ok) => http?.close(ok));
});

const db = (folder: string) => join(folder, 'suanli.db');
const latestWitnessed = () => witnessed.heads.at(-1)?.treeSize ?? 0;

describe('the log records its key; offline verify holds the key file to it', () => {
  it('recorded the key in the log at the first start (entry 2, after the first operator token)', async () => {
    const store = await openSqliteStore(db(copyData(data)));
    const entries = await store.listAudit(1, 100);
    await store.close();
    const keys = entries.filter((e: AuditEntry) => e.kind === LOG_KEY_KIND);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ seq: 2, subject: 'suanli', data: { publicKey: witnessed.publicKey } });
  });

  it('passes the intact folder, against the pinned head and the witness', async () => {
    const r = await cli('audit', 'verify', '--data', copyData(data), '--witness', witnessFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit log OK: \d+ entries, chain intact/);
    expect(r.stdout).toContain(`log key ${witnessed.publicKey} (recorded in entry 2)`);
    expect(r.stdout).toContain(`extends the head pinned from ${url}`);
    expect(r.stdout).toMatch(/extends all 2 heads witnessed in .*witness\.json \(the latest: \d+ entries/);
  });

  it('is BROKEN when the key file is missing, even for a log that would otherwise pass', async () => {
    for (const cut of [false, true]) {
      const copy = copyData(data);
      rmSync(join(copy, 'audit-ed25519.pem'));
      if (cut) truncateLog(db(copy), 3); // shorter than the head pinned here: hidden without the key
      const r = await cli('audit', 'verify', '--data', copy);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/BROKEN: the log key .*audit-ed25519\.pem is missing/);
      expect(r.stdout).toContain(`is missing (the log recorded ${witnessed.publicKey} (entry 2))`);
      expect(r.stderr).toBe('');
    }
  });

  it('is BROKEN when the key file was replaced', async () => {
    const copy = copyData(data);
    writeFileSync(join(copy, 'audit-ed25519.pem'), generateLogKey().pem);
    const r = await cli('audit', 'verify', '--data', copy);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `BROKEN: the log key .* was replaced: it holds \\S+, the log recorded ${escapeRe(witnessed.publicKey)} last \\(entry 2\\)`,
      ),
    );
  });

  it('follows a key rotated in the open: the new key is recorded, and heads pinned for the old one still apply', async () => {
    const copy = copyData(data);
    writeFileSync(join(copy, 'audit-ed25519.pem'), generateLogKey().pem);
    await (await serve(copy)).close(); // the server records the new key, with the one it replaces
    const ok = await cli('audit', 'verify', '--data', copy);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`earlier keys: ${witnessed.publicKey} (entry 2)`);
    expect(ok.stdout).toContain(`extends the head pinned from ${url}`);
    // Rewritten under the new key: the head pinned for the old key still holds the log to its past.
    const rewritten = copyData(copy);
    rehashLog(db(rewritten), 1, 'someone-else');
    const r = await cli('audit', 'verify', '--data', rewritten);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN: the first \d+ entries no longer hash to the head pinned from/);
    // Cut back to before the rotation: the key file is then not the key the log recorded last.
    truncateLog(db(copy), 3);
    const cut = await cli('audit', 'verify', '--data', copy);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain('was replaced');
  });

  it('says so for a log written before log.key entries', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'suanli-old-'));
    const store = await openSqliteStore(db(folder));
    await store.appendAudit({ atS: 1, kind: 'token.created', subject: 'operator', data: {} });
    await store.close();
    writeFileSync(join(folder, 'audit-ed25519.pem'), generateLogKey().pem);
    const r = await cli('audit', 'verify', '--data', folder, '--unpinned');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('this log records no key (written before log.key entries)');
    expect(r.stdout).toContain('no head of this log is pinned here and no witness was given');
  });
});

describe('what only a pin or a witness can catch', () => {
  it('a truncated log: passes alone (documented), BROKEN against the witness, file or URL', async () => {
    const copy = copyData(data);
    truncateLog(db(copy), latestWitnessed() - 2);
    const alone = await stranger('audit', 'verify', '--data', copy);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('entries cut from its end, or the whole log re-hashed, would pass');
    for (const w of [witnessFile, witnessUrl]) {
      const r = await stranger('audit', 'verify', '--data', copy, '--witness', w);
      expect(r.code, w).toBe(1);
      expect(r.stdout).toContain(
        `BROKEN: the log has ${latestWitnessed() - 2} entries, fewer than the ${latestWitnessed()} of the head witnessed`,
      );
    }
  });

  it('entries after the latest witnessed head can be cut unnoticed (documented): the witness says how many are unwitnessed', async () => {
    const copy = copyData(data);
    const before = await stranger('audit', 'verify', '--data', copy, '--witness', witnessUrl);
    expect(before.stdout).toMatch(/entries after it are not witnessed yet|every entry is witnessed/);
    truncateLog(db(copy), latestWitnessed());
    const r = await stranger('audit', 'verify', '--data', copy, '--witness', witnessUrl);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('every entry is witnessed');
  });

  it('a re-hashed log: passes alone (documented), BROKEN against the pinned head and the witness', async () => {
    const copy = copyData(data);
    rehashLog(db(copy), 1, 'someone-else');
    expect((await stranger('audit', 'verify', '--data', copy)).code).toBe(0);
    const pinned = await cli('audit', 'verify', '--data', copy);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/BROKEN: the first \d+ entries no longer hash to the head pinned from/);
    const w = await stranger('audit', 'verify', '--data', copy, '--witness', witnessUrl);
    expect(w.code).toBe(1);
    expect(w.stdout).toMatch(
      /BROKEN: the first \d+ entries no longer hash to the head witnessed .*: history was rewritten/,
    );
  });

  it('a replaced key with the log re-hashed under it, key entries and all: BROKEN where this log is pinned', async () => {
    const copy = copyData(data);
    const { key, pem } = generateLogKey();
    writeFileSync(join(copy, 'audit-ed25519.pem'), pem);
    rekeyLog(db(copy), key.publicKey);
    const pinned = await cli('audit', 'verify', '--data', copy);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toContain(`BROKEN: none of the logs pinned here (${url}) used ${key.publicKey}`);
    // Where nothing is pinned, or when the user says the folder is another log, it passes, with the warning.
    const alone = await stranger('audit', 'verify', '--data', copy);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('would pass');
    expect((await cli('audit', 'verify', '--data', copy, '--unpinned')).code).toBe(0);
    // A witness catches it either way.
    expect((await stranger('audit', 'verify', '--data', copy, '--witness', witnessFile)).code).toBe(1);
  });

  it('writes nothing to the folder it checks: no migration, no journal files', async () => {
    const copy = copyData(data);
    const before = Object.fromEntries(
      readdirSync(copy).map((f) => [f, readFileSync(join(copy, f)).toString('base64')]),
    );
    expect((await cli('audit', 'verify', '--data', copy)).code).toBe(0);
    const after = Object.fromEntries(readdirSync(copy).map((f) => [f, readFileSync(join(copy, f)).toString('base64')]));
    expect(after).toEqual(before);
  });

  it('refuses a witness file that was altered, and a URL that serves none', async () => {
    const altered = join(dir, 'altered.json');
    const heads = witnessed.heads.map((h, i) => (i === 0 ? { ...h, treeSize: h.treeSize + 1 } : h));
    writeFileSync(altered, JSON.stringify({ ...witnessed, heads }));
    const r = await stranger('audit', 'verify', '--data', copyData(data), '--witness', altered);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN: the head of \d+ entries witnessed .* is not signed by the log's key/);
    const missing = await stranger(
      'audit',
      'verify',
      '--data',
      data,
      '--witness',
      witnessUrl.replace('witness', 'nope'),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot fetch the witness file .*HTTP 404/);
    const notJson = join(dir, 'not-a-witness.json');
    writeFileSync(notJson, '{"format":"other"}');
    const bad = await stranger('audit', 'verify', '--data', data, '--witness', notJson);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a Suanli witness file: format is "other"/);
  });
});

describe('damaged bytes: BROKEN, naming the entry, never an internal error', () => {
  it('an entry whose data is not JSON, offline', async () => {
    const copy = copyData(data);
    garbleData(db(copy), 3);
    const r = await cli('audit', 'verify', '--data', copy);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toMatch(
      /^BROKEN: entry 3: audit entry 3 is damaged: its data is not valid JSON \(.*\) \(entries 1–2 are intact\)$/,
    );
    expect(r.stderr).toBe('');
  });

  it('an entry whose data is not JSON, online: the server reports a broken chain, not a 500', async () => {
    const copy = copyData(data);
    garbleData(db(copy), 3);
    const damaged = await serve(copy); // starts, and logs that it cannot record its key
    try {
      const res = await fetch(`${damaged.url}/v1/audit/verify`, {
        headers: { authorization: `Bearer ${damaged.operatorToken}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        ok: false,
        entries: 2,
        firstBadSeq: 3,
        problem: expect.stringMatching(/^audit entry 3 is damaged: its data is not valid JSON/),
      });
      const online = await cliWith(() => ({ ...env, SUANLI_URL: damaged.url, SUANLI_TOKEN: damaged.operatorToken }))(
        'audit',
        'verify',
      );
      expect(online.code).toBe(1);
      expect(online.stdout).toMatch(/BROKEN: the server's audit store is damaged: entry 3: audit entry 3 is damaged/);
      expect(online.stderr).toBe('');
    } finally {
      await damaged.close();
    }
  });

  it('bytes flipped inside the SQLite file: reading stops at an entry, and the verdict names it', async () => {
    const copy = copyData(data);
    const store = await openSqliteStore(db(copy));
    for (let i = 1; i <= 400; i++) {
      await store.appendAudit({ atS: i, kind: 'job.submitted', subject: `j-${i}`, data: { i, pad: 'x'.repeat(100) } });
    }
    await store.close();
    const first = flipAuditLeaf(db(copy));
    const r = await cli('audit', 'verify', '--data', copy);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(
      `BROKEN: entry ${first}: the audit store cannot be read from entry ${first} on: database disk image is malformed (SQLITE_CORRUPT) (entries 1–${first - 1} are intact)`,
    );
    expect(r.stderr).toBe('');
  });

  it('a file that is no database any more', async () => {
    const copy = copyData(data);
    flipBytes(db(copy), 0);
    const r = await cli('audit', 'verify', '--data', copy);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toMatch(
      /^BROKEN: .*suanli\.db cannot be opened: file is not a database \(SQLITE_NOTADB\); not one entry can be read$/,
    );
    expect(r.stderr).toBe('');
    expect(existsSync(copy)).toBe(true);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
