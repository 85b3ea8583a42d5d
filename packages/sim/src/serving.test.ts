import { buildProfile, DEFAULT_PROFILE_SPEC, type ServiceSpec } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest } from './network.fixture.ts';
import type { ServingMode } from './run-services.ts';
import { simulate } from './simulate.ts';
import { syntheticJobs } from './workload/synthetic.ts';

/** Users in the east, busy in the evening (peak 60 req/s at 20:00 UTC+8), quiet at night. */
const curve = Array.from({ length: 24 }, (_, h) => Math.round(60 * (0.15 + 0.85 * Math.exp(-(((h - 20) / 4) ** 2)))));

const chat: ServiceSpec = {
  id: 'chat',
  tenant: 'lab',
  perReplica: [{ accelerator: 'H100', perMember: 8 }],
  minReplicas: 1,
  maxReplicas: 10,
  guaranteed: 1,
  targetPerReplica: 10,
  sloMs: 650,
  inferenceMs: 150,
  demand: [{ regionId: 'east', requestsPerS: curve }],
};

/** The east demand centre with room for peak provisioning (80 H100: ten replicas), the west as it is. */
function network() {
  const base = eastWest();
  return {
    ...base,
    sites: base.sites.map((x) =>
      x.id === 'east' ? { ...x, pools: x.pools.map((p) => (p.id === 'east-h100' ? { ...p, count: 80 } : p)) } : x,
    ),
  };
}

const run = (mode: ServingMode, batch = 40) => {
  const net = network();
  return simulate({
    network: net,
    profile: buildProfile(DEFAULT_PROFILE_SPEC),
    jobs: [...syntheticJobs({ jobs: batch, seed: 7, arrivalsPerHour: 2, deadlineShare: 0 }, net)],
    estimates: 'oracle',
    seed: 1,
    cycleS: 60,
    serving: { services: [chat], mode, durationS: 2 * 86_400, stepS: 60 },
  });
};

describe('online services in the simulator: the live autoscaler and placer on the shared ledger', () => {
  it('meets the SLO with fewer replica-hours and a lower cost per million requests than static peak provisioning', () => {
    const auto = run('autoscale');
    const still = run('static');
    const a = auto.serving;
    const s = still.serving;
    expect(a?.requests).toBeGreaterThan(1e6);
    expect(a?.requests).toBeCloseTo(s?.requests ?? 0, -3);
    expect(a?.sloAttainment).toBeGreaterThanOrEqual(0.99);
    expect(a?.services[0]?.scaleUps).toBeGreaterThan(a?.services[0]?.scaleDowns ?? 0);
    expect(a?.services[0]?.scaleDowns).toBeGreaterThan(0);
    expect(a?.replicaHours).toBeLessThan((s?.replicaHours ?? 0) * 0.9);
    // Half the replica-hours, and the burst replicas in the cheap west: well under half the cost.
    expect(a?.costCnyPerMillion).toBeLessThan((s?.costCnyPerMillion ?? 0) * 0.5);
    expect(s?.sloAttainment).toBeGreaterThan(0.999);
    // Batch jobs still finish: serving does not starve them.
    expect(auto.jobs.finished).toBe(40);
  });

  it('is deterministic, and one site is a baseline of its own', () => {
    expect(run('autoscale', 5).serving).toEqual(run('autoscale', 5).serving);
    expect(run('one-site', 5).serving?.mode).toBe('one-site');
  });
});
