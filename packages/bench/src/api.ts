import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const CLI = fileURLToPath(new URL('../../cli/bin/suanli.js', import.meta.url));

const SPEC =
  'name: bench\nkind: batch-infer\ntenant: acme-ai\nresources: { accelerators: { H20: 8 } }\ndurationS: 3600\n';

interface Server {
  readonly url: string;
  readonly token: string;
  readonly child: ChildProcess;
}

/**
 * `suanli serve` as a process of its own (SQLite in a fresh folder, or DATABASE_URL), as users run
 * it. `SUANLI_BENCH_SERVER_NODE_ARGS` passes Node options to it, e.g. `--cpu-prof --cpu-prof-dir=DIR`
 * for a profile of where the server's time goes.
 */
async function serve(databaseUrl?: string, args: readonly string[] = []): Promise<Server> {
  const data = mkdtempSync(join(tmpdir(), 'suanli-bench-api-'));
  const { DATABASE_URL: _drop, ...env } = process.env;
  const nodeArgs = (process.env['SUANLI_BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0', '--data', data, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, SUANLI_DATABASE_SCHEMA: `bench_${Date.now().toString(36)}` } : {}),
    },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const url = /at (http:\/\/[\d.:]+)/.exec(out)?.[1];
      const token = /#token=(\S+)/.exec(out)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ url, token, child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

function stop(s: Server): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
  });
}

function load(s: Server, options: { connections: number; durationS: number; rate?: number }) {
  return autocannon({
    url: `${s.url}/v1/jobs`,
    method: 'POST',
    headers: { 'content-type': 'application/yaml', authorization: `Bearer ${s.token}` },
    body: SPEC,
    connections: options.connections,
    duration: options.durationS,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
}

/**
 * Job submissions over HTTP from this process to a server process on loopback: as fast as 50
 * connections go (accepted per second: 2xx only), and latency at a steady 1,000 per second.
 */
export async function apiSqliteBench(): Promise<Record<string, number>> {
  const s = await serve();
  try {
    await load(s, { connections: 10, durationS: 2 });
    const r = await load(s, { connections: 50, durationS: 10 });
    const steady = await load(s, { connections: 50, durationS: 10, rate: 1000 });
    return {
      api_submit_per_s_sqlite: r['2xx'] / r.duration,
      api_submit_errors_sqlite: r.errors + r.non2xx,
      api_p99_ms_at_1k: steady.latency.p99,
      api_p50_ms_at_1k: steady.latency.p50,
    };
  } finally {
    await stop(s);
  }
}

export async function apiPostgresBench(): Promise<Record<string, number>> {
  const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!url) throw new Error('skipped: needs DATABASE_URL (../shared/scripts/postgres-up.sh)');
  const s = await serve(url);
  try {
    await load(s, { connections: 10, durationS: 2 });
    const r = await load(s, { connections: 50, durationS: 10 });
    return { api_submit_per_s_pg: r['2xx'] / r.duration, api_submit_errors_pg: r.errors + r.non2xx };
  } finally {
    await stop(s);
  }
}

/** One-second jobs (the sim backend at real speed): every one must be accepted, placed and finished. */
const SHORT_SPEC =
  'name: short\nkind: batch-infer\ntenant: acme-ai\nresources: { accelerators: { H20: 1 } }\ndurationS: 1\n';

/**
 * Sustained load of short jobs: submissions of 1-second jobs at a steady rate for a while
 * (`SUANLI_BENCH_SUSTAIN_S`, default 60 s), then until every accepted job has run. The figure is
 * the rate at which jobs were accepted, placed and finished: accepted jobs ÷ (load time + the time
 * the last ones took to finish), and it counts only when every accepted job finished.
 */
async function sustained(
  databaseUrl: string | undefined,
  rate: number,
): Promise<{ accepted: number; unfinished: number; perS: number; p99: number }> {
  const durationS = Number(process.env['SUANLI_BENCH_SUSTAIN_S'] ?? 60);
  const s = await serve(databaseUrl, ['--speedup', '1']);
  try {
    const t0 = performance.now();
    const r = await autocannon({
      url: `${s.url}/v1/jobs`,
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${s.token}` },
      body: SHORT_SPEC,
      connections: 50,
      duration: durationS,
      overallRate: rate,
    });
    const accepted = r['2xx'];
    // Wait (at most five minutes) until nothing is pending, placed or running.
    const deadline = Date.now() + 300_000;
    let left = Number.POSITIVE_INFINITY;
    while (Date.now() < deadline) {
      const health = (await (await fetch(`${s.url}/health`)).json()) as { jobs: Record<string, number> };
      left = (health.jobs['pending'] ?? 0) + (health.jobs['scheduled'] ?? 0) + (health.jobs['running'] ?? 0);
      if (left === 0) break;
      await new Promise((ok) => setTimeout(ok, 500));
    }
    const s2 = (performance.now() - t0) / 1000;
    return { accepted, unfinished: left, perS: left === 0 ? accepted / s2 : 0, p99: r.latency.p99 };
  } finally {
    await stop(s);
  }
}

export async function apiSustainedBench(): Promise<Record<string, number>> {
  const rate = Number(process.env['SUANLI_BENCH_SUSTAIN_RATE'] ?? 2000);
  const sqlite = await sustained(undefined, rate);
  const out: Record<string, number> = {
    api_sustained_short_jobs_per_s_sqlite: sqlite.perS,
    api_sustained_unfinished_sqlite: sqlite.unfinished,
    api_sustained_p99_ms_sqlite: sqlite.p99,
  };
  const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (url) {
    const pg = await sustained(url, Math.min(rate, 1000));
    out['api_sustained_short_jobs_per_s_pg'] = pg.perS;
    out['api_sustained_unfinished_pg'] = pg.unfinished;
  }
  return out;
}
