import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { openPostgresStore } from '@suanli/store';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from './harness.fixture.ts';
import { type SchedulerLoop, startSchedulerLoop } from './scheduler-loop.ts';

// Tests take their database from SUANLI_TEST_DATABASE_URL (so a DATABASE_URL meant for a server is never wiped), else DATABASE_URL.
const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly failedTries?: number;
  readonly err?: { message: string };
}

let loop: SchedulerLoop | undefined;
let h: Harness | undefined;
let relay: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  await loop?.stop();
  await h?.store.close();
  for (const s of sockets) s.destroy();
  await new Promise((done) => (relay ? relay.close(done) : done(undefined)));
  loop = undefined;
  h = undefined;
  relay = undefined;
});

/** A pino logger whose lines land in `lines`. */
function capture(lines: LogLine[]) {
  return pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
}

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and healed. */
async function cuttableRelay(target: URL): Promise<{ url: string; cut(): void; heal(): void }> {
  let down = false;
  relay = createServer((inbound) => {
    if (down) {
      inbound.destroy();
      return;
    }
    const outbound = connect(Number(target.port || 5432), target.hostname);
    for (const [a, b] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  const server = relay;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const at = new URL(target.toString());
  at.hostname = '127.0.0.1';
  at.port = String((server.address() as AddressInfo).port);
  return {
    url: at.toString(),
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      down = false;
    },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const said = (lines: readonly LogLine[], text: string) => lines.filter((l) => l.msg.startsWith(text));

describe.skipIf(!url)(
  'scheduler loop on a real PostgreSQL (needs DATABASE_URL: ../shared/scripts/postgres-up.sh)',
  () => {
    it('logs a failing election once, not every cycle, and leads again when PostgreSQL is back', async () => {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      const r = await cuttableRelay(new URL(url as string));
      const warnings: string[] = [];
      h = await harness({
        openStore: () =>
          openPostgresStore(r.url, { schema, connectTimeoutMs: 300, onWarning: (m) => warnings.push(m) }),
      });
      const lines: LogLine[] = [];
      loop = startSchedulerLoop(h.service, 20, capture(lines));
      await expect.poll(() => said(lines, 'leading').length).toBe(1);

      r.cut();
      await expect.poll(() => said(lines, 'leader election failed').length).toBe(1);
      await wait(500); // some 25 more cycles, all failing
      const failed = said(lines, 'leader election failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.err?.message).toMatch(/lost the leadership: its PostgreSQL connection broke/);

      r.heal();
      await expect.poll(() => said(lines, 'leading').length).toBe(2);
      expect(said(lines, 'leading')[1]?.failedTries).toBeGreaterThan(3);
      expect(said(lines, 'leader election failed')).toHaveLength(1);
    });

    it('notices a leader connection ended by PostgreSQL (pg_terminate_backend), says so, and leads again', async () => {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      h = await harness({ openStore: () => openPostgresStore(url as string, { schema, applicationName: schema }) });
      const lines: LogLine[] = [];
      loop = startSchedulerLoop(h.service, 20, capture(lines));
      await expect.poll(() => said(lines, 'leading').length).toBe(1);

      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const ended = await admin.query(
          'select count(pg_terminate_backend(pid, 5000))::int as n from pg_stat_activity where application_name = $1',
          [`${schema} leader`],
        );
        expect(ended.rows[0].n).toBe(1);
      } finally {
        await admin.end();
      }
      await expect.poll(() => said(lines, 'leading').length).toBe(2);
      const failed = said(lines, 'leader election failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.err?.message).toMatch(
        /lost the leadership: its PostgreSQL connection broke \(terminating connection due to administrator command\)/,
      );
      expect(said(lines, 'leading')[1]?.failedTries).toBe(1);
    });
  },
);
