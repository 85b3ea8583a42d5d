/**
 * Quotas in Kueue's vocabulary. A flavour is an accelerator type. A cluster queue holds a nominal
 * quota per flavour; queues in one cohort lend unused quota to each other, within limits. Each
 * tenant's jobs go through its local queue to one cluster queue.
 */
export interface FlavourQuota {
  readonly flavour: string;
  /** Accelerators the queue is entitled to. */
  readonly nominal: number;
  /** How many more than nominal it may borrow from its cohort; unlimited when absent. */
  readonly borrowingLimit?: number;
  /** How much of its unused nominal others may borrow; all of it when absent. */
  readonly lendingLimit?: number;
}

export interface PreemptionPolicy {
  /** Whether a job may preempt lower-priority jobs of its own queue. */
  readonly withinClusterQueue: 'Never' | 'LowerPriority';
  /** Whether a queue under its nominal quota may take back what others borrowed from the cohort. */
  readonly reclaimWithinCohort: 'Never' | 'LowerPriority' | 'Any';
}

export interface ClusterQueue {
  readonly name: string;
  readonly cohort?: string;
  readonly quotas: readonly FlavourQuota[];
  readonly preemption: PreemptionPolicy;
}
