import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { SlurmBackend } from '@suanli/backends';
import { parseNetwork, SYSTEM } from '@suanli/service';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockSlurm } from '../packages/backends/src/slurm/slurm-lock.fixture.ts';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

const url = process.env['SLURMRESTD_URL'];

/** Two sites: `lab`, cheap, whose 16 H100 are the real Slurm's four nodes; `spare`, dearer, simulated. */
const NETWORK = parseNetwork(
  `name: slurm-and-spare
sites:
  - id: lab
    name: Lab cluster
    province: Test
    lat: 30
    lon: 110
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.5
    tariff: { flatCnyPerKwh: 0.3 }
    pools:
      - { accelerator: H100, count: 16, priceCnyPerAcceleratorHour: 10, backend: slurm }
  - id: spare
    name: Spare site
    province: Test
    lat: 31
    lon: 111
    pue: 1.3
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.6
    tariff: { flatCnyPerKwh: 0.8 }
    pools:
      - { accelerator: H100, count: 16, priceCnyPerAcceleratorHour: 30, backend: sim }
tenants:
  - { id: lab, name: Lab, sector: research }
`,
  'slurm-and-spare.yaml',
);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The service's own way to slurmrestd: a TCP bridge to it, which the test stops (the process group,
 * so connections already open die too) and starts again, as a broken link or a stopped slurmrestd
 * looks to Suanli. Slurm itself runs on.
 */
class Bridge {
  private proc: ChildProcess | undefined;
  readonly port: number;
  private readonly target: URL;
  constructor(port: number, target: URL) {
    this.port = port;
    this.target = target;
  }
  async start(): Promise<void> {
    this.proc = spawn(
      'socat',
      [`TCP-LISTEN:${this.port},bind=127.0.0.1,reuseaddr,fork`, `TCP:${this.target.hostname}:${this.target.port}`],
      { detached: true, stdio: 'ignore' },
    );
    for (let i = 0; i < 50; i++) {
      const up = await fetch(`http://127.0.0.1:${this.port}/slurm/v0.0.38/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the bridge to slurmrestd did not come up');
  }
  stop(): void {
    if (this.proc?.pid) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.proc = undefined;
  }
}

async function until(check: () => Promise<boolean>, timeoutS = 60): Promise<void> {
  const end = Date.now() + timeoutS * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 300));
  }
}

let h: Harness | undefined;
let bridge: Bridge | undefined;
afterEach(async () => {
  bridge?.stop();
  await h?.store.close();
  h = undefined;
});

describe.skipIf(!url)('a real Slurm that stops answering (needs SLURMRESTD_URL and socat)', () => {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockSlurm();
  }, 300_000);
  afterAll(() => release?.());

  it('takes the site out after the health timeout, fails the job over, and fences the old attempt when slurmrestd answers again', async () => {
    bridge = new Bridge(await freePort(), new URL(url as string));
    await bridge.start();
    const clock = { nowS: () => Date.now() / 1000, advance: () => {}, set: () => {} };
    const slurm = new SlurmBackend({
      url: `http://127.0.0.1:${bridge.port}`,
      clock,
      speedup: 60,
      gpusPerNode: 4,
      maxBackoffS: 1,
      requestTimeoutMs: 2000,
      namePrefix: `h${randomBytes(4).toString('hex')}`,
    });
    h = await harness({ network: NETWORK, backends: new Map([['slurm', slurm]]), clock, healthTimeoutS: 3 });
    const text = `name: survives
kind: train
tenant: lab
resources: { accelerators: { H100: 4 } }
gang: 2
durationS: 36000
recovery: { backoffS: 0 }
checkpoint: { intervalS: 600, sizeGb: 10, siteId: spare }
`;
    const job = await h.service.submit({ text }, SYSTEM);
    await until(async () => {
      await h?.cycle();
      return (await h?.service.getJob(job.id, SYSTEM))?.state === 'running';
    });
    const first = await h.service.getJob(job.id, SYSTEM);
    expect(first).toMatchObject({ backend: 'slurm', attempt: 1, placement: { siteId: 'lab' } });
    const slurmId = first.externalId?.replace('slurm:', '') as string;

    // slurmrestd is cut off: past the health timeout, lab is out and the job runs at spare.
    bridge.stop();
    await until(async () => {
      await h?.cycle();
      const r = await h?.service.getJob(job.id, SYSTEM);
      return r?.attempt === 2 && (r.state === 'scheduled' || r.state === 'running');
    }, 60);
    const moved = await h.service.getJob(job.id, SYSTEM);
    expect(moved).toMatchObject({ backend: 'sim', placement: { siteId: 'spare' } });
    expect(moved.failures?.[0]).toMatchObject({
      attempt: 1,
      siteId: 'lab',
      failureClass: 'backend-unreachable',
      fence: 'pending',
    });
    expect(moved.explanation?.notes.some((n) => n.startsWith('failover from lab after backend-unreachable'))).toBe(
      true,
    );
    expect((await h.service.networkHealth(SYSTEM)).sites.find((s) => s.siteId === 'lab')?.state).toBe('out');
    // Slurm itself ran on: the old attempt is still running there, cut off.
    const state = async () => {
      const res = await fetch(`${url}/slurm/v0.0.38/job/${slurmId}`);
      return String(((await res.json()) as { jobs: { job_state?: string }[] }).jobs[0]?.job_state ?? '');
    };
    expect(await state()).toBe('RUNNING');

    // slurmrestd answers again: lab is back, the old attempt's report is recorded and ignored, and it is cancelled.
    await bridge.start();
    await until(async () => {
      await h?.cycle();
      return (await h?.service.getJob(job.id, SYSTEM))?.failures?.[0]?.fence === 'done';
    }, 60);
    expect((await h.service.networkHealth(SYSTEM)).sites.find((s) => s.siteId === 'lab')?.state).toBe('in-service');
    // Slurm takes a moment to finish cancelling (COMPLETING, then CANCELLED).
    await until(async () => (await state()) === 'CANCELLED', 30);
    const audit = (await h.service.listAudit(1, 500, SYSTEM)).filter(
      (e) => e.subject === job.id || e.subject === 'lab',
    );
    const kinds = audit.map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['site.unhealthy', 'job.retried', 'site.healthy', 'job.late-report', 'job.fenced']),
    );
    expect(audit.find((e) => e.kind === 'job.late-report')?.data).toMatchObject({ attempt: 1, state: 'running' });
    // The job never moved back: it runs its second attempt at spare.
    const now = await h.service.getJob(job.id, SYSTEM);
    expect(now).toMatchObject({ attempt: 2, placement: { siteId: 'spare' } });
    expect(kinds.filter((k) => k === 'job.placed')).toHaveLength(2);
    expect((await h.service.cancel(job.id, SYSTEM)).state).toBe('cancelled');
  }, 180_000);
});
