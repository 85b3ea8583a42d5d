import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, runCliProcess, type ServerProcess, startServerProcess } from './processes.ts';

const SPEC = (i: number) =>
  `name: crash-${i}\nkind: batch-infer\ntenant: acme-ai\nresources: { accelerators: { H20: 8 } }\ndurationS: 600\n`;

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('crash safety: SIGKILL with submissions in flight', () => {
  it('keeps every acknowledged job exactly once, an intact audit log, and dispatches what was caught mid-way', async () => {
    server = await startServerProcess();
    const first = server;
    const acknowledged: string[] = [];
    let killed = false;
    // 1,000 submissions, 50 in flight at a time: the kill lands with some in flight and the rest
    // never sent (all 1,000 in flight at once could all be answered before the kill lands).
    let next = 0;
    const submitOne = async (i: number) => {
      try {
        const res = await fetch(`${first.url}/v1/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/yaml', authorization: `Bearer ${first.token}` },
          body: SPEC(i),
        });
        if (res.status === 201) {
          acknowledged.push(((await res.json()) as { id: string }).id);
          if (acknowledged.length >= 300 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      } catch {
        // the server died under this request: not acknowledged
      }
    };
    const submissions = Array.from({ length: 50 }, async () => {
      while (next < 1000) await submitOne(next++);
    });
    await Promise.all(submissions);
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(acknowledged.length).toBeLessThan(1000);

    // Restart on the same data folder.
    server = await startServerProcess([], first.data);
    const db = new Database(join(first.data, 'suanli.db'), { readonly: true });
    const rows = db.prepare('SELECT id FROM jobs').all() as { id: string }[];
    db.close();
    const stored = new Map<string, number>();
    for (const r of rows) stored.set(r.id, (stored.get(r.id) ?? 0) + 1);
    for (const id of acknowledged) expect(stored.get(id), id).toBe(1);

    const verify = await runCliProcess(server, 'audit', 'verify', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });

    // Nothing stays stuck: every stored job is placed and handed to its backend after the restart.
    const restarted = server;
    await eventually(async () => {
      const res = await fetch(`${restarted.url}/v1/jobs?limit=1000`, {
        headers: { authorization: `Bearer ${restarted.token}` },
      });
      const jobs = (await res.json()) as { state: string; externalId?: string }[];
      return jobs.length === rows.length && jobs.every((j) => j.state !== 'pending' && j.externalId) ? true : undefined;
    }, 120_000); // 15 s alone; a shared CI machine may be much slower
  }, 240_000);
});
