import type { Job, JobKind, Network, Rng } from '@suanli/engine';

const KINDS: readonly JobKind[] = ['train', 'finetune', 'batch-infer', 'serve'];
const SIZES = [1, 1, 2, 4, 8, 8, 8, 16, 32, 64] as const;

/**
 * Queued jobs for benchmarks: sizes and durations heavy-tailed like GPU-cluster traces, one or two
 * acceptable types, a third with deadlines (flexible), mixed objective weights. Deterministic.
 */
export function syntheticQueue(network: Network, n: number, nowS: number, rng: Rng, withDeadlines = true): Job[] {
  const types = network.accelerators.map((a) => a.type);
  const jobs: Job[] = [];
  for (let i = 0; i < n; i++) {
    const perMember = SIZES[Math.floor(rng.next() * SIZES.length)] ?? 8;
    const first = types[Math.floor(rng.next() * types.length)] ?? 'H100';
    const second = types[Math.floor(rng.next() * types.length)] ?? 'H100';
    const durationS = Math.round(300 * Math.exp(rng.next() * 5.5));
    const flexible = withDeadlines && rng.next() < 0.3;
    jobs.push({
      id: `b${String(i).padStart(6, '0')}`,
      name: `bench-${i}`,
      tenant: `t${i % 7}`,
      kind: KINDS[Math.floor(rng.next() * KINDS.length)] ?? 'train',
      options:
        second !== first && rng.next() < 0.5
          ? [
              { accelerator: first, perMember },
              { accelerator: second, perMember },
            ]
          : [{ accelerator: first, perMember }],
      gang: 1,
      durationS,
      ...(flexible ? { deadlineS: nowS + durationS + 6 * 3600 + Math.round(rng.next() * 18 * 3600) } : {}),
      datasets: [],
      objective: { cost: 1 + Math.floor(rng.next() * 3), carbon: 1 + Math.floor(rng.next() * 2), time: 1 },
      priority: 0,
      preemptible: true,
      submittedAtS: nowS - n + i,
    });
  }
  return jobs;
}
