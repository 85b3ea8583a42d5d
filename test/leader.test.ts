import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { SYSTEM } from '@suanli/service';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
const SPEC = (name: string) =>
  `name: ${name}\nkind: batch-infer\ntenant: acme-ai\nresources: { accelerators: { H20: 8 } }\ndurationS: 36000\n`;

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
});

describe.skipIf(!url)(
  'several servers on one PostgreSQL database (needs DATABASE_URL: ../shared/scripts/postgres-up.sh)',
  () => {
    it('schedule from one leader at a time; when it dies another takes over; no job is placed twice', async () => {
      const schema = `l_${randomBytes(6).toString('hex')}`;
      const start = () =>
        startServer({
          port: 0,
          dataDir: join(mkdtempSync(join(tmpdir(), 'suanli-leader-')), 'data'),
          databaseUrl: url as string,
          databaseSchema: schema,
          cycleMs: 50,
          speedup: 1,
          logger: pino({ level: 'silent' }),
        });
      const a = await start();
      servers.push(a);
      // A leads once its loop has run; B starts after and stands by.
      await eventually(async () => ((await a.service.leads()) ? true : undefined));
      const b = await start();
      servers.push(b);
      expect(await b.service.leads()).toBe(false);

      const first = [];
      for (let i = 0; i < 5; i++) first.push((await b.service.submit({ text: SPEC(`first-${i}`) }, SYSTEM)).id);
      await eventually(async () => {
        const jobs = await b.service.listJobs({ states: ['pending'] }, SYSTEM);
        return jobs.length === 0 ? true : undefined;
      });

      await a.close(); // the leader goes away: its connection, and so its lock, with it
      const second = [];
      for (let i = 0; i < 5; i++) second.push((await b.service.submit({ text: SPEC(`second-${i}`) }, SYSTEM)).id);
      await eventually(async () => ((await b.service.leads()) ? true : undefined));
      await eventually(async () => {
        const pending = await b.service.listJobs({ states: ['pending'] }, SYSTEM);
        return pending.length === 0 ? true : undefined;
      });

      const audit = await b.service.listAudit(1, 10_000, SYSTEM);
      for (const id of [...first, ...second]) {
        expect(
          audit.filter((e) => e.kind === 'job.placed' && e.subject === id),
          id,
        ).toHaveLength(1);
      }
      expect(await b.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true });
    }, 60_000);
  },
);
