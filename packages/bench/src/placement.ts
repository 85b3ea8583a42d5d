import {
  buildProfile,
  DEFAULT_PROFILE_SPEC,
  decide,
  type Job,
  type Network,
  type Profile,
  seededRng,
} from '@suanli/engine';
import { syntheticNetwork } from './synthetic-network.ts';
import { syntheticQueue } from './workload.ts';

const NOW = 1_795_392_000;

/**
 * Online placement throughput: one decision cycle over a queue of jobs that arrived since the last
 * one, on an empty network. Reports decisions per second (each with its full explanation), best of
 * `repeats` runs after a warm-up.
 */
export function placementPerSecond(network: Network, jobs: readonly Job[], profile: Profile, repeats = 3): number {
  const run = () => {
    const t0 = performance.now();
    const { decisions } = decide({ network, allocations: [], queue: jobs }, NOW, { profile });
    const s = (performance.now() - t0) / 1000;
    if (decisions.length !== jobs.length) throw new Error('every job gets a decision');
    return decisions.length / s;
  };
  run();
  let best = 0;
  for (let i = 0; i < repeats; i++) best = Math.max(best, run());
  return best;
}

/**
 * `brief`: each decision explains the five best sites and counts the others by outcome, as the
 * simulator and the queue's waiting jobs do; `full`: every site of the network, as a placed job's
 * stored explanation does.
 */
export function placementBench(sites: number, poolsPerSite: number, jobs: number, explain: 'brief' | 'full'): number {
  const network = syntheticNetwork({ sites, poolsPerSite, poolSize: [256, 2048] }, seededRng(7));
  const queue = syntheticQueue(network, jobs, NOW, seededRng(11), false);
  const profile = buildProfile({ ...DEFAULT_PROFILE_SPEC, explain });
  return placementPerSecond(network, queue, profile);
}
