import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendJob } from '../backend.contract.ts';
import { SlurmBackend } from './slurm-backend.ts';
import { lockSlurm } from './slurm-lock.fixture.ts';

const slurmUrl = process.env['SLURMRESTD_URL'];
const API = '/slurm/v0.0.38';

/** Real time, moved ahead by hand to skip the backoff after a provoked failure. */
function skippingClock() {
  let aheadS = 0;
  return {
    nowS: () => Date.now() / 1000 + aheadS,
    skip(s: number) {
      aheadS += s;
    },
  };
}

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** Resolves to the base URL of a server once it listens on a free port of 127.0.0.1. */
async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A peer that accepts connections and never says a word: a hung slurmrestd. */
const hungPeer = () => listen(createTcpServer(() => {}));

/** An HTTP peer that answers every request with `status` and `body`. */
const answeringPeer = (status: number, body: string) =>
  listen(
    createHttpServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    }),
  );

describe('slurm backend against a hung slurmrestd', () => {
  it('gives up after the request timeout and names the URL and the timeout', async () => {
    const url = await hungPeer();
    const b = new SlurmBackend({ url, clock: skippingClock(), requestTimeoutMs: 200 });
    const t0 = performance.now();
    await expect(b.poll(['slurm:1'])).rejects.toThrow(`slurm did not answer GET ${url}${API}/jobs within 200 ms`);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('also when the answer starts and then stalls', async () => {
    const url = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"jobs": [');
      }),
    );
    const b = new SlurmBackend({ url, clock: skippingClock(), requestTimeoutMs: 200 });
    await expect(b.poll(['slurm:1'])).rejects.toThrow(/slurm did not answer GET .* within 200 ms/);
  });

  it('counts a timeout as a failure: the next call waits out the backoff', async () => {
    const url = await hungPeer();
    const clock = skippingClock();
    const b = new SlurmBackend({ url, clock, requestTimeoutMs: 100 });
    await expect(b.submit(backendJob('hung'))).rejects.toThrow(/did not answer GET .* within 100 ms/);
    await expect(b.submit(backendJob('hung'))).rejects.toThrow(/slurm unreachable \(1 failures\); next try in 1 s/);
    clock.skip(2);
    await expect(b.submit(backendJob('hung'))).rejects.toThrow(/did not answer/);
  });
});

describe('slurm backend against a slurmrestd that answers garbage', () => {
  const garbage: readonly [string, string, RegExp][] = [
    ['an empty body', '', /GET \/jobs with something that is not JSON: \(an empty body\)/],
    ['HTML', '<html>502 Bad Gateway</html>', /GET \/jobs with something that is not JSON: "<html>502/],
    ['truncated JSON', '{"jobs": [{"job_id": 1', /not JSON/],
    ['a JSON array', '[]', /GET \/jobs with JSON that is not an object/],
    ['an object without jobs', '{"meta": {}}', /GET \/jobs without a list of jobs/],
    ['jobs that is not a list', '{"jobs": "none"}', /GET \/jobs without a list of jobs/],
    ['a job without an id', '{"jobs": [{"name": "x", "job_state": "RUNNING"}]}', /job 0 lacking a numeric job_id/],
    ['a job without a state', '{"jobs": [{"job_id": 1, "name": "x"}]}', /job 1 lacking a job_state/],
    [
      'errors beside an empty listing',
      '{"errors": [{"error": "Unable to contact slurm controller"}], "jobs": []}',
      /slurm could not list its jobs: Unable to contact slurm controller/,
    ],
  ];

  for (const [what, body, message] of garbage) {
    it(`a poll answered with ${what} throws (so the service retries) and reports no job failed`, async () => {
      const url = await answeringPeer(200, body);
      const b = new SlurmBackend({ url, clock: skippingClock() });
      await expect(b.poll(['slurm:1', 'slurm:2'])).rejects.toThrow(message);
    });
  }

  it('a submit answered with garbage throws instead of counting the job as submitted', async () => {
    const url = await answeringPeer(200, 'OK');
    const b = new SlurmBackend({ url, clock: skippingClock() });
    await expect(b.submit(backendJob('g'))).rejects.toThrow(/GET \/jobs with something that is not JSON: "OK"/);
  });

  it('a cancel refused for another reason than "no such job" throws, so the job is not taken as stopped', async () => {
    const down = await answeringPeer(
      500,
      '{"errors": [{"error_number": 1007, "error": "Unable to contact slurm controller (connect failure)"}]}',
    );
    await expect(new SlurmBackend({ url: down, clock: skippingClock() }).cancel('slurm:5')).rejects.toThrow(
      'slurm could not cancel job 5 (500): Unable to contact slurm controller (connect failure)',
    );
    const empty = await answeringPeer(500, '{}');
    await expect(new SlurmBackend({ url: empty, clock: skippingClock() }).cancel('slurm:5')).rejects.toThrow(
      'slurm could not cancel job 5 (500): no reason given',
    );
    const html = await answeringPeer(500, '<h1>Internal Server Error</h1>');
    await expect(new SlurmBackend({ url: html, clock: skippingClock() }).cancel('slurm:5')).rejects.toThrow(
      /DELETE \/job\/5 with something that is not JSON/,
    );
  });
});

/** How the proxy in front of the real slurmrestd answers. */
type Mode = 'pass' | 'garbage' | 'forward-then-garble' | 'empty-listing';

describe.skipIf(!slurmUrl)(
  'slurm backend through a flaky proxy to a real Slurm (needs SLURMRESTD_URL: ../shared/scripts/slurm-up.sh)',
  () => {
    // One file at a time on the real Slurm: another file downing a node would fail this one's jobs.
    let release: (() => void) | undefined;
    beforeAll(async () => {
      release = await lockSlurm();
    }, 300_000);
    afterAll(() => release?.());
    const prefix = `f${randomBytes(4).toString('hex')}`;
    const headers = {
      'content-type': 'application/json',
      'x-slurm-user-name': process.env['SLURMRESTD_USER_NAME'] ?? 'root',
    };

    /** Forwards to the real slurmrestd, or answers garbage, as `mode` says at the time of the request. */
    async function proxy(): Promise<{ url: string; set(m: Mode): void }> {
      let mode: Mode = 'pass';
      const forward = async (req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        if (mode === 'garbage') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('');
          return;
        }
        const answer = await fetch(`${slurmUrl}${req.url}`, {
          method: req.method ?? 'GET',
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        let text = await answer.text();
        if (mode === 'empty-listing' && req.url?.endsWith('/jobs')) {
          // A well-formed listing that lacks every job, as a busy or restarting slurmctld may send.
          text = JSON.stringify({ ...JSON.parse(text), jobs: [] });
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(mode === 'forward-then-garble' ? text.slice(0, 20) : text);
      };
      const url = await listen(
        createHttpServer((req, res) => {
          forward(req, res).catch((e: unknown) => res.destroy(e as Error));
        }),
      );
      return {
        url,
        set(m) {
          mode = m;
        },
      };
    }

    const backend = (url: string, clock: ReturnType<typeof skippingClock>) =>
      new SlurmBackend({
        url,
        clock,
        speedup: 60,
        gpusPerNode: Number(process.env['SLURM_LOCAL_GPUS_PER_NODE'] ?? 4),
        ...(process.env['SLURM_LOCAL_PARTITION'] ? { partition: process.env['SLURM_LOCAL_PARTITION'] } : {}),
        ...(process.env['SLURMRESTD_USER_NAME'] ? { userName: process.env['SLURMRESTD_USER_NAME'] } : {}),
        namePrefix: prefix,
      });

    /** The Slurm jobs of that name, read from slurmrestd directly. */
    async function slurmJobsNamed(name: string): Promise<number[]> {
      const res = await fetch(`${slurmUrl}${API}/jobs`, { headers });
      const { jobs } = (await res.json()) as { jobs: { job_id: number; name: string }[] };
      return jobs.filter((j) => j.name === name).map((j) => j.job_id);
    }

    it('one garbled listing fails the poll; the job is still running when Slurm answers again', async () => {
      const p = await proxy();
      const clock = skippingClock();
      const b = backend(p.url, clock);
      const { externalId } = await b.submit(backendJob('flaky', { durationS: 3600 }));
      try {
        expect(['queued', 'running']).toContain((await b.poll([externalId]))[0]?.state);
        p.set('garbage');
        await expect(b.poll([externalId])).rejects.toThrow(/not JSON: \(an empty body\)/);
        p.set('pass');
        clock.skip(2);
        const [status] = await b.poll([externalId]);
        expect(status).toMatchObject({ externalId });
        expect(['queued', 'running']).toContain(status?.state);
      } finally {
        p.set('pass');
        clock.skip(60);
        await b.cancel(externalId);
      }
    });

    it('a listing that lacks a job does not fail it: the job is asked after on its own', async () => {
      const p = await proxy();
      const clock = skippingClock();
      const b = backend(p.url, clock);
      const { externalId } = await b.submit(backendJob('missing', { durationS: 3600 }));
      try {
        p.set('empty-listing');
        const [status] = await b.poll([externalId]);
        expect(['queued', 'running']).toContain(status?.state);
      } finally {
        p.set('pass');
        await b.cancel(externalId);
      }
    });

    it('a submit whose answer is lost is found again on retry, not submitted twice', async () => {
      const p = await proxy();
      const clock = skippingClock();
      const b = backend(p.url, clock);
      // The first submission fills the backend's listing of names (kept a few seconds).
      const first = await b.submit(backendJob('lost-a', { durationS: 3600 }));
      p.set('forward-then-garble');
      await expect(b.submit(backendJob('lost-b', { durationS: 3600 }))).rejects.toThrow(/not JSON/);
      p.set('pass');
      clock.skip(2);
      const again = await b.submit(backendJob('lost-b', { durationS: 3600 }));
      const ids = await slurmJobsNamed(`${prefix}-lost-b`);
      try {
        expect(ids).toHaveLength(1);
        expect(again.externalId).toBe(`slurm:${ids[0]}`);
      } finally {
        for (const id of [...ids, Number(first.externalId.replace('slurm:', ''))]) await b.cancel(`slurm:${id}`);
      }
    });

    it('cancelling a job Slurm does not know is no error (it answers 500, "Invalid job id")', async () => {
      await expect(backend(slurmUrl as string, skippingClock()).cancel('slurm:99999998')).resolves.toBeUndefined();
    });
  },
);
