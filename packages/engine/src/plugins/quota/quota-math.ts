import type { ClusterQueue, FlavourQuota } from '../../domain/queue.ts';
import type { Cycle } from '../../framework/cycle.ts';

/** The cluster queue a tenant's local queue points to, if any. */
export function queueOf(cycle: Cycle, tenant: string): ClusterQueue | undefined {
  const name = cycle.net.tenants.get(tenant)?.clusterQueue;
  return name === undefined ? undefined : cycle.net.clusterQueues.get(name);
}

function quotaFor(cq: ClusterQueue, flavour: string): FlavourQuota | undefined {
  return cq.quotas.find((q) => q.flavour === flavour);
}

/** Accelerators of a flavour the queue's tenants hold (placed in this cycle included). */
export function usageOf(cycle: Cycle, cq: ClusterQueue, flavour: string): number {
  let used = 0;
  for (const t of cycle.net.tenantsByQueue.get(cq.name) ?? []) used += cycle.usageOf(t).get(flavour) ?? 0;
  return used;
}

/** The part of a queue's nominal quota it lends to its cohort, and the part it keeps. */
function split(q: FlavourQuota | undefined): { lendable: number; guaranteed: number } {
  if (!q) return { lendable: 0, guaranteed: 0 };
  const lendable = Math.min(q.nominal, q.lendingLimit ?? q.nominal);
  return { lendable, guaranteed: q.nominal - lendable };
}

export interface Headroom {
  readonly nominal: number;
  readonly used: number;
  /** How many more the queue may take now, its own and borrowed together. */
  readonly available: number;
  /** What the cohort has left to lend (Infinity without a cohort is not used; 0 then). */
  readonly cohortFree: number;
  readonly hasQuota: boolean;
}

/**
 * Kueue's arithmetic: each queue keeps `nominal − lendingLimit` for itself; the lendable parts of
 * all queues in a cohort form a pool that any member may draw from, a member beyond its nominal
 * only up to its `borrowingLimit`.
 */
export function headroom(cycle: Cycle, cq: ClusterQueue, flavour: string): Headroom {
  // Asked for every option of every job: cached per queue and flavour until usage changes.
  const cache = cycle.state(HEADROOM, () => ({ version: -1, byQueue: new Map<ClusterQueue, Map<string, Headroom>>() }));
  if (cache.version !== cycle.usageVersion) {
    cache.byQueue.clear();
    cache.version = cycle.usageVersion;
  }
  let byFlavour = cache.byQueue.get(cq);
  if (!byFlavour) {
    byFlavour = new Map();
    cache.byQueue.set(cq, byFlavour);
  }
  let h = byFlavour.get(flavour);
  if (!h) {
    h = computeHeadroom(cycle, cq, flavour);
    byFlavour.set(flavour, h);
  }
  return h;
}

const HEADROOM = 'quota-math/headroom';

function computeHeadroom(cycle: Cycle, cq: ClusterQueue, flavour: string): Headroom {
  const q = quotaFor(cq, flavour);
  const used = usageOf(cycle, cq, flavour);
  const nominal = q?.nominal ?? 0;
  const members = cq.cohort === undefined ? undefined : cycle.net.cohorts.get(cq.cohort);
  if (!members) return { nominal, used, available: Math.max(0, nominal - used), cohortFree: 0, hasQuota: !!q };
  let pool = 0;
  let poolUsed = 0;
  for (const m of members) {
    const { lendable, guaranteed } = split(quotaFor(m, flavour));
    pool += lendable;
    poolUsed += Math.max(0, usageOf(cycle, m, flavour) - guaranteed);
  }
  const { guaranteed } = split(q);
  const cohortFree = Math.max(0, pool - poolUsed);
  let available = Math.max(0, guaranteed - used) + cohortFree;
  if (q?.borrowingLimit !== undefined) available = Math.min(available, Math.max(0, nominal + q.borrowingLimit - used));
  return { nominal, used, available, cohortFree, hasQuota: !!q || pool > 0 };
}

/** Whether the queue uses more of a flavour than its nominal quota: it is borrowing. */
export function isBorrowing(cycle: Cycle, cq: ClusterQueue, flavour: string): boolean {
  return usageOf(cycle, cq, flavour) > (quotaFor(cq, flavour)?.nominal ?? 0);
}
