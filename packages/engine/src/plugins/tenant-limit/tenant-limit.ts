import { formatNumber } from '../../framework/format.ts';
import type { PermitPlugin, ReservePlugin } from '../../framework/plugin.ts';
import { unschedulable } from '../../framework/status.ts';

export const TENANT_LIMIT = 'tenant-limit';

export interface TenantLimitArgs {
  /** Jobs a tenant may run at once (Slurm's MaxJobs); unlimited when absent. */
  readonly maxJobs?: number;
  /** Accelerators a tenant may hold at once, all types together (MaxTRES); unlimited when absent. */
  readonly maxAccelerators?: number;
}

interface LimitState {
  readonly jobs: Map<string, Set<string>>;
}

/**
 * Per-tenant limits in the manner of Slurm's QOS limits. Reserve books the job in the tenant's count
 * of running jobs (its own state, started from the running allocations) and refuses past
 * `maxJobs`; unreserve takes it out again. Permit refuses a placement that takes the tenant's
 * accelerators past `maxAccelerators`.
 */
export function tenantLimit(args: TenantLimitArgs): ReservePlugin & PermitPlugin {
  const state = (cycle: Parameters<ReservePlugin['reserve']>[0]) =>
    cycle.state<LimitState>(TENANT_LIMIT, () => {
      const jobs = new Map<string, Set<string>>();
      for (const a of cycle.allAllocations()) {
        const set = jobs.get(a.tenant) ?? new Set<string>();
        set.add(a.jobId);
        jobs.set(a.tenant, set);
      }
      return { jobs };
    });
  return {
    name: TENANT_LIMIT,
    reserve(cycle, job) {
      const jobs = state(cycle).jobs;
      const set = jobs.get(job.tenant) ?? new Set<string>();
      jobs.set(job.tenant, set);
      if (args.maxJobs !== undefined && !set.has(job.id) && set.size >= args.maxJobs) {
        return unschedulable(`tenant ${job.tenant} runs ${set.size} jobs, its limit`);
      }
      set.add(job.id);
      return null;
    },
    unreserve(cycle, job) {
      state(cycle).jobs.get(job.tenant)?.delete(job.id);
    },
    permit(cycle, job) {
      if (args.maxAccelerators === undefined) return null;
      let held = 0;
      for (const n of cycle.usageOf(job.tenant).values()) held += n;
      if (held <= args.maxAccelerators) return null;
      return unschedulable(
        `tenant ${job.tenant} would hold ${formatNumber(held)} accelerators; its limit is ${formatNumber(args.maxAccelerators)}`,
      );
    },
  };
}
