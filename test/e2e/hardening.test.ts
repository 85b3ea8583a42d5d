import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCliProcess, type ServerProcess, startServerProcess } from './processes.ts';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  await server?.stop();
});

/** Requests on ONE kept-alive connection, in order: [status, connection header] of each. */
async function onOneConnection(
  requests: { method: string; path: string; headers?: Record<string, string>; body?: string }[],
) {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const out: { status: number; connection: string | undefined }[] = [];
  try {
    for (const r of requests) {
      out.push(
        await new Promise((resolve, reject) => {
          const req = request(
            `${server.url}${r.path}`,
            { method: r.method, headers: r.headers ?? {}, agent },
            (res) => {
              sockets.add(res.socket);
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
            },
          );
          req.on('error', reject);
          req.end(r.body);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return { out, sockets: sockets.size };
}

describe('a real server process under bad requests', () => {
  it('keeps the connection usable after refusing a body it did not read (401, 413, 415)', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    const health = { method: 'GET', path: '/health' };
    const { out, sockets } = await onOneConnection([
      { method: 'POST', path: '/v1/jobs', headers: { 'content-type': 'application/yaml' }, body: 'x'.repeat(500_000) },
      health,
      {
        method: 'POST',
        path: '/v1/jobs',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'x'.repeat(500_000),
      },
      health,
      {
        method: 'POST',
        path: '/v1/jobs',
        headers: { ...auth, 'content-type': 'application/yaml' },
        body: 'x'.repeat(3_000_000),
      },
      health,
    ]);
    expect(out.map((o) => o.status)).toEqual([401, 200, 415, 200, 413, 200]);
    expect(out.every((o) => o.connection === 'keep-alive')).toBe(true);
    expect(sockets).toBe(1);
  });

  it('answers headers that are too large with a catalog error, which the CLI reports as such (exit 2)', async () => {
    const r = await runCliProcess({ url: server.url, token: 'x'.repeat(20_000) }, 'sites');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[HEADERS_TOO_LARGE\]\n$/);
  });

  it('refuses an endless spec file before reading it whole (exit 2, little memory)', async () => {
    const r = await runCliProcess(server, 'submit', '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('suanli: /dev/zero: /dev/zero is larger than 1 MB [PAYLOAD_TOO_LARGE]\n');
  });

  it('exits 2 from quote when no site can run the job, after printing why', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suanli-spec-')), 'nowhere.yaml');
    writeFileSync(
      file,
      'name: nowhere\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\nbudget: { maxCny: 1 }\n',
    );
    const r = await runCliProcess(server, 'quote', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Filtered out:');
    expect(r.stderr).toMatch(
      /^suanli: .*nowhere\.yaml: no site can run this job: \S+ \([a-z-]+\) .* \[NO_FEASIBLE_SITE\]\n$/,
    );
  });

  it('says the address is in use (exit 2) when another server has the port', async () => {
    const port = new URL(server.url).port;
    const data = mkdtempSync(join(tmpdir(), 'suanli-e2e-'));
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'serve', '--port', port, '--data', data], (err, _stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${port} is in use`);
    expect(r.stderr).toMatch(/\[ADDRESS_IN_USE\]\n$/);
  });
});

describe('stopping', () => {
  it('stops within a few seconds of SIGTERM while clients keep connections open and submit', async () => {
    const s = await startServerProcess();
    const spec =
      'name: load\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\n';
    let stop = false;
    const load = Array.from({ length: 8 }, async () => {
      while (!stop) {
        await fetch(`${s.url}/v1/jobs`, {
          method: 'POST',
          body: spec,
          headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/yaml' },
        }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    await s.stop();
    const stoppedInMs = Date.now() - t0;
    stop = true;
    await Promise.all(load);
    expect(stoppedInMs).toBeLessThan(8000);
    expect(s.child.exitCode ?? s.child.signalCode).toBe(0);
  }, 30_000);
});
