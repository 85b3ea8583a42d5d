import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyData, rehashLog, truncateLog } from './audit.fixture.ts';
import type { Pins } from './audit-verify.ts';
import type { WitnessFile } from './audit-witness.ts';
import { cliWith } from './cli.fixture.ts';

/**
 * Against real servers: `suanli audit witness` polling signed heads (and catching a server that
 * serves a shorter or rewritten log), and `suanli audit trust --reset` after a fresh data folder at
 * the same address.
 */

const dir = mkdtempSync(join(tmpdir(), 'suanli-audit-trust-'));
const home = join(dir, 'home');
const witnessFile = join(dir, 'witness.json');
const silent = pino({ level: 'silent' });
const env: Record<string, string | undefined> = { SUANLI_HOME: home };
const cli = cliWith(() => env);
let first: RunningServer;
let port = 0;

const serve = (dataDir: string, p = 0) =>
  startServer({ port: p, dataDir, speedup: 36000, cycleMs: 50, policyFile: false, logger: silent });

/** Points the CLI at a server. */
function use(s: RunningServer): void {
  Object.assign(env, { SUANLI_URL: s.url, SUANLI_TOKEN: s.operatorToken });
}

const readWitness = (): WitnessFile => JSON.parse(readFileSync(witnessFile, 'utf8'));

beforeAll(async () => {
  first = await serve(join(dir, 'first'));
  port = Number(new URL(first.url).port);
  use(first);
}, 60_000);

afterAll(async () => {
  await first.close();
});

describe('suanli audit witness', () => {
  it('pins the key, then keeps each head that extends the last one (consistency proof)', async () => {
    const one = await cli('audit', 'witness', '--out', witnessFile);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('(first use)');
    expect(one.stdout).toMatch(/^witnessed \d+ entries, signed tree head [0-9a-f]{64}; .*witness\.json holds 1 head$/m);
    for (const name of ['a', 'b', 'c']) await cli('tokens', 'create', '--role', 'auditor', '--name', name);
    const polls = await cli('audit', 'witness', '--out', witnessFile, '--every', '1s', '--count', '2', '--json');
    expect(polls.code).toBe(0);
    const w = readWitness();
    // The second poll of the same size replaced the head it repeated: two sizes, two heads.
    expect(w.heads).toHaveLength(2);
    expect(w.heads[1]?.treeSize).toBeGreaterThan(w.heads[0]?.treeSize ?? 0);
    expect(w).toMatchObject({ format: 'suanli-witness/1', url: first.url, logId: 'suanli' });
    const online = await cli('audit', 'verify', '--witness', witnessFile);
    expect(online.code).toBe(0);
    expect(online.stdout).toMatch(/extends all 2 heads witnessed/);
    expect((await cli('audit', 'witness', '--every', '0s')).code).toBe(2);
  });

  it('catches a server that serves its log cut short, or rewritten, and keeps the signed head as evidence', async () => {
    await first.close();
    const witnessedSize = readWitness().heads.at(-1)?.treeSize ?? 0;
    const short = copyData(join(dir, 'first'));
    truncateLog(join(short, 'suanli.db'), witnessedSize - 2);
    const rewritten = copyData(join(dir, 'first'));
    rehashLog(join(rewritten, 'suanli.db'), 1, 'someone-else');
    first = await serve(join(dir, 'first'), port); // the original, back at its address
    for (const [folder, why] of [
      [short, `the log shrank: it signs ${witnessedSize - 2} entries, after the head of ${witnessedSize} witnessed`],
      [rewritten, `does not extend the one of ${witnessedSize}: history was rewritten`],
    ] as const) {
      const s = await serve(folder);
      try {
        use(s);
        const r = await cli('audit', 'witness', '--out', witnessFile);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain('BROKEN: ');
        expect(r.stdout).toContain(why);
        // And verify with the witness says the same of the server's log.
        const v = await cli('audit', 'verify', '--witness', witnessFile);
        expect(v.code).toBe(1);
      } finally {
        await s.close();
        use(first);
      }
    }
    const w = readWitness();
    expect(w.conflicts?.map((c) => c.problem)).toEqual([
      expect.stringContaining('shrank'),
      expect.stringContaining('rewritten'),
    ]);
    // The good heads are untouched, and the original log still extends them.
    expect((await cli('audit', 'witness', '--out', witnessFile)).code).toBe(0);
  });
});

describe('suanli audit trust --reset', () => {
  it('after a fresh data folder at the same address: BROKEN with the way out, an audited re-pin, then OK', async () => {
    const pinned = await cli('audit', 'verify');
    expect(pinned.code).toBe(0);
    const pins = (): Pins => JSON.parse(readFileSync(join(home, 'known-logs.json'), 'utf8'));
    const before = pins()[first.url];
    await first.close();
    first = await serve(join(dir, 'fresh'), port);
    use(first);
    const after = (await cli('audit', 'verify', '--json')).stdout;
    for (const args of [['verify'], ['proof', '1']]) {
      const r = await cli('audit', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toMatch(/BROKEN: the log's key changed \(pinned .*, now .*\)/);
      expect(r.stdout).toContain(`run \`suanli audit trust --reset ${first.url}\``);
    }
    expect(JSON.parse(after)).toMatchObject({ ok: false });

    const reset = await cli('audit', 'trust', '--reset');
    expect(reset.code).toBe(0);
    const now = pins()[first.url];
    expect(reset.stdout).toContain(`re-pinned ${first.url}: key ${before?.publicKey} → ${now?.publicKey}`);
    expect(reset.stdout).toMatch(
      new RegExp(
        `pinned head: ${before?.head?.treeSize} entries \\(root [0-9a-f]{16}…\\) → ${now?.head?.treeSize} entries`,
      ),
    );
    expect(now?.repins).toEqual([
      {
        atS: expect.any(Number),
        oldKey: before?.publicKey,
        oldHead: { treeSize: before?.head?.treeSize, rootHash: before?.head?.rootHash },
        newKey: now?.publicKey,
        newHead: { treeSize: now?.head?.treeSize, rootHash: now?.head?.rootHash },
      },
    ]);
    const trustLog = readFileSync(join(home, 'trust.log'), 'utf8').trim().split('\n');
    expect(trustLog).toHaveLength(1);
    expect(trustLog[0]).toContain(`re-pinned ${first.url}`);
    expect(trustLog[0]).toContain(`key ${before?.publicKey} -> ${now?.publicKey}`);

    const ok = await cli('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('consistent with the head pinned before');
    expect((await cli('audit', 'proof', '1')).code).toBe(0);
    // The history survives the verify that moved the pinned head on.
    expect(pins()[first.url]?.repins).toHaveLength(1);
    const list = await cli('audit', 'trust');
    expect(list.stdout).toContain(`${first.url}  key ${now?.publicKey}`);
    expect(list.stdout).toContain('re-pinned 1×');
    // The witness of the old log is not fooled by the new one.
    const w = await cli('audit', 'witness', '--out', witnessFile);
    expect(w.code).toBe(1);
    expect(w.stdout).toContain("BROKEN: the log's key changed");
  });
});
