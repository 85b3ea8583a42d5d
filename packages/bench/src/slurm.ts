import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlurmBackend } from '@suanli/backends';
import { parseNetwork, SuanliService, SYSTEM } from '@suanli/service';
import { openSqliteStore } from '@suanli/store';

const NETWORK = `name: slurm-bench
sites:
  - id: lab
    name: Lab cluster
    province: Test
    lat: 30
    lon: 110
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.5
    tariff: { flatCnyPerKwh: 0.5 }
    pools:
      # Declared larger than the test cluster: Suanli hands everything over and Slurm queues it.
      - { accelerator: H100, count: 1024, priceCnyPerAcceleratorHour: 10, backend: slurm }
tenants:
  - { id: lab, name: Lab, sector: research }
`;

/**
 * Jobs per second handed to a real Slurm through Suanli (submit, decide, dispatch over slurmrestd)
 * ÷ raw `sbatch` jobs per second on the same machine in the same run; and how many were lost.
 */
export async function slurmDispatchBench(): Promise<Record<string, number>> {
  const url = process.env['SLURMRESTD_URL'];
  if (!url) throw new Error('skipped: needs SLURMRESTD_URL (../shared/scripts/slurm-up.sh)');
  const n = 100;

  const t0 = performance.now();
  for (let i = 0; i < n; i++) execFileSync('sbatch', ['-Q', '-o', '/dev/null', '-J', `raw-${i}`, '--wrap', 'true']);
  const rawPerS = n / ((performance.now() - t0) / 1000);

  const clock = { nowS: () => Date.now() / 1000 };
  const store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'suanli-bench-slurm-')), 'suanli.db'));
  const prefix = `b${randomBytes(4).toString('hex')}`;
  const slurm = new SlurmBackend({ url, clock, speedup: 3600, gpusPerNode: 4, namePrefix: prefix });
  const service = new SuanliService({
    store,
    network: parseNetwork(NETWORK, 'slurm-bench.yaml'),
    clock,
    backends: new Map([['slurm', slurm]]),
  });
  const spec = (i: number) =>
    `name: j${i}\nkind: batch-infer\ntenant: lab\nresources: { accelerators: { H100: 1 } }\ndurationS: 60\n`;
  const t1 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await service.submit({ text: spec(i) }, SYSTEM)).id);
  for (let round = 0; round < 200; round++) {
    await service.syncBackends();
    await service.schedule();
    const pending = await service.listJobs({ states: ['pending', 'scheduled'] }, SYSTEM);
    if (pending.every((j) => j.externalId)) break;
  }
  const viaPerS = n / ((performance.now() - t1) / 1000);
  const jobs = await Promise.all(ids.map((id) => service.getJob(id, SYSTEM)));
  const handed = jobs.filter((j) => j.externalId?.startsWith('slurm:')).length;
  const res = await fetch(`${url}/slurm/v0.0.38/jobs`);
  const inSlurm = ((await res.json()) as { jobs: { name: string }[] }).jobs.filter((j) =>
    j.name.startsWith(`${prefix}-`),
  );
  await store.close();
  return {
    slurm_raw_sbatch_per_s: rawPerS,
    slurm_via_suanli_per_s: viaPerS,
    slurm_dispatch_ratio: viaPerS / rawPerS,
    slurm_lost: n - handed,
    slurm_duplicates: inSlurm.length - new Set(inSlurm.map((j) => j.name)).size,
  };
}
